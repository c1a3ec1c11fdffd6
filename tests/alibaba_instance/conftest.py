"""`tls_emulator`: the session emulator's app served again over HTTPS with the instance CA's certificate."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture(scope="session")
def tls_emulator(emulator: Any) -> Iterator[tuple[str, Any, list[Any]]]:
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
        keys = [k for k in emulator.keys_for("alibaba") if k.enabled]
        yield f"https://127.0.0.1:{server.server_port}", material, keys
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
