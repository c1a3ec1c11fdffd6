"""An emulator's app served again over HTTPS with the certificate its KMS-instance CA signed."""

from __future__ import annotations

import contextlib
import ssl
import threading
from collections.abc import Iterator
from typing import Any


@contextlib.contextmanager
def serve_over_tls(emulator: Any) -> Iterator[str]:
    """Yield the https://127.0.0.1:PORT URL of `emulator`'s app behind the instance CA's certificate."""
    from werkzeug.serving import make_server

    from kms_pubkey_emulator import EmulatorApp
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    material = client_key(emulator.state)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(str(material.server_cert_file), str(material.server_key_file))
    server = make_server("127.0.0.1", 0, EmulatorApp(emulator.state), threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
