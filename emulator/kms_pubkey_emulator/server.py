"""The WSGI app: `/_emulator/*` admin routes, then the vendor protocols in `PROTOCOLS` order.

Also `Emulator`, which runs the app on 127.0.0.1 in a background thread for tests::

    with Emulator() as emu:
        emu.url, emu.keys
"""

from __future__ import annotations

import json
import logging
import sys
import threading
import traceback
import urllib.request
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from kms_pubkey_emulator.config import EmulatorConfig
from kms_pubkey_emulator.keys import KeyStore, SpecInfo, StoredKey
from kms_pubkey_emulator.protocol import EmulatorState, VendorProtocol
from kms_pubkey_emulator.vendors import alibaba, alibaba_instance, aws, huawei

# THE registry: one line per vendor protocol. Order matters, the first `matches` wins:
#   x-kms-apiname -> Alibaba dedicated gateway; X-Amz-Target -> AWS;
#   /v1.0/{project_id}/kms/... -> Huawei; x-acs-action or Action= -> Alibaba shared gateway.
PROTOCOLS: list[VendorProtocol] = [
    alibaba_instance.PROTOCOL,
    aws.PROTOCOL,
    huawei.PROTOCOL,
    alibaba.PROTOCOL,
]

ADMIN_PREFIX = "/_emulator"
_ADMIN = Map(
    [
        Rule(f"{ADMIN_PREFIX}/health", endpoint="health", methods=["GET"]),
        Rule(f"{ADMIN_PREFIX}/keys", endpoint="keys", methods=["GET"]),
        Rule(f"{ADMIN_PREFIX}/keys", endpoint="create", methods=["POST"]),
        Rule(f"{ADMIN_PREFIX}/credentials", endpoint="credentials", methods=["GET"]),
        Rule(f"{ADMIN_PREFIX}/keys/<key_id>/disable", endpoint="disable", methods=["POST"]),
        Rule(f"{ADMIN_PREFIX}/keys/<key_id>/enable", endpoint="enable", methods=["POST"]),
    ]
)


def vendor_specs(protocols: Iterable[VendorProtocol]) -> dict[str, dict[str, SpecInfo]]:
    """vendor -> {spec -> SpecInfo}, merged over protocols that share a vendor name."""
    specs: dict[str, dict[str, SpecInfo]] = {}
    for protocol in protocols:
        table = specs.setdefault(protocol.name, {})
        for spec, info in protocol.key_specs.items():
            table.setdefault(spec, info)
    return specs


def _json(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body, indent=2) + "\n", status=status, content_type="application/json")


class EmulatorApp:
    """The WSGI application. Thread-safe: the key store locks, and handlers keep no state."""

    def __init__(self, state: EmulatorState, protocols: Sequence[VendorProtocol] = PROTOCOLS) -> None:
        self.state = state
        self.protocols = tuple(protocols)

    def _admin(self, request: Request) -> Response:
        adapter = _ADMIN.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except HTTPException as error:
            return _json({"error": error.description}, error.code or 404)
        if endpoint == "health":
            return _json({"status": "ok", "vendors": sorted({p.name for p in self.protocols})})
        if endpoint == "keys":
            return _json([key.to_json() for key in self.state.keys.all()])
        if endpoint == "credentials":
            return _json(self.state.credentials)
        if endpoint == "create":
            return self._create(request)
        vendor = request.args.get("vendor")
        changed = self.state.keys.set_enabled(values["key_id"], endpoint == "enable", vendor)
        if not changed:
            return _json({"error": f"no key {values['key_id']!r}"}, 404)
        return _json([key.to_json() for key in changed])

    def _create(self, request: Request) -> Response:
        """`POST /_emulator/keys` with `{"vendor", "key_spec", "key_usage"}`: one more key."""
        try:
            wanted = json.loads(request.get_data() or b"{}")
            vendor, spec, usage = wanted["vendor"], wanted["key_spec"], wanted["key_usage"]
            info = vendor_specs(self.protocols)[vendor][spec]
            key = self.state.keys.create(vendor, spec, info, usage)
        except (ValueError, KeyError, TypeError) as error:
            return _json({"error": f"cannot make that key: {error}"}, 400)
        return _json(key.to_json(), 201)

    def dispatch(self, request: Request) -> Response:
        if request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/"):
            return self._admin(request)
        for protocol in self.protocols:
            if protocol.matches(request):
                return protocol.handle(request, self.state)
        return _json({"error": "no emulated vendor protocol matches this request"}, NotFound.code)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            response = _json({"error": "emulator internal error"}, 500)
        result: Iterable[bytes] = response(environ, start_response)
        return result


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


def build_state(config: EmulatorConfig, protocols: Sequence[VendorProtocol] = PROTOCOLS) -> EmulatorState:
    """Seed (or load) the keys for every registered vendor, then let each protocol make its
    client files (its optional `credentials` hook). `close()` the state when done."""
    state = EmulatorState(config, KeyStore.seed(vendor_specs(protocols), config.state_dir))
    for protocol in protocols:
        make = getattr(protocol, "credentials", None)
        if make is not None:
            state.credentials.update(make(state))
    return state


def serve(
    state: EmulatorState, protocols: Sequence[VendorProtocol] = PROTOCOLS, *, quiet: bool = False
) -> BaseWSGIServer:
    """A bound, threaded werkzeug server for the app; call `serve_forever()` on it."""
    config = state.config
    handler = _QuietHandler if quiet else WSGIRequestHandler
    server = make_server(
        config.host, config.port, EmulatorApp(state, protocols), threaded=True, request_handler=handler
    )
    return server


class Emulator:
    """The emulator in a background thread on 127.0.0.1 and a free port (a context manager)."""

    def __init__(
        self,
        config: EmulatorConfig | None = None,
        *,
        protocols: Sequence[VendorProtocol] = PROTOCOLS,
        quiet: bool = True,
        ready_timeout: float = 10.0,
    ) -> None:
        self.config = config or EmulatorConfig(port=0)
        self._protocols = tuple(protocols)
        self._quiet = quiet
        self._ready_timeout = ready_timeout
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self.state: EmulatorState | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return f"http://{self.config.host}:{self._server.server_port}"

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_port)

    @property
    def store(self) -> KeyStore:
        if self.state is None:
            raise RuntimeError("the emulator is not running")
        return self.state.keys

    @property
    def keys(self) -> list[StoredKey]:
        """Every key, all vendors (live objects: `enabled` reflects the current state)."""
        return self.store.all()

    def keys_for(self, vendor: str) -> list[StoredKey]:
        return self.store.for_vendor(vendor)

    def key(self, vendor: str, key_spec: str) -> StoredKey:
        for key in self.keys_for(vendor):
            if key.key_spec == key_spec:
                return key
        raise KeyError(f"no {vendor} key with spec {key_spec}")

    def create_key(self, vendor: str, key_spec: str, key_usage: str) -> StoredKey:
        """One more key of a spec with another usage the vendor allows (`SpecInfo.also`), e.g.
        `create_key("aws", "ECC_NIST_P256", "KEY_AGREEMENT")`. It joins `keys`, so tests that list
        every key should make theirs on an emulator of their own."""
        info = vendor_specs(self._protocols)[vendor][key_spec]
        return self.store.create(vendor, key_spec, info, key_usage)

    def set_enabled(self, key_id: str, enabled: bool, vendor: str | None = None) -> None:
        if not self.store.set_enabled(key_id, enabled, vendor):
            raise KeyError(f"no key {key_id!r}")

    def client_env(self) -> dict[str, str]:
        return self.config.client_env()

    @property
    def credentials(self) -> dict[str, str]:
        """What the protocols made at start (as `GET /_emulator/credentials` lists it)."""
        if self.state is None:
            raise RuntimeError("the emulator is not running")
        return dict(self.state.credentials)

    @property
    def client_key_file(self) -> Path:
        """The Alibaba dedicated gateway's ClientKey JSON, `clientKey_<KeyId>.json`."""
        return Path(self.credentials["client_key_file"])

    @property
    def client_key_password_file(self) -> Path:
        """Its password, `clientKey_<KeyId>_Password.txt`, beside it."""
        return Path(self.credentials["client_key_password_file"])

    @property
    def ca_file(self) -> Path:
        """The KMS instance CA certificate (PEM)."""
        return Path(self.credentials["ca_file"])

    def start(self) -> Emulator:
        if self._server is not None:
            return self
        logging.getLogger("werkzeug").setLevel(logging.WARNING if self._quiet else logging.INFO)
        self.state = build_state(self.config, self._protocols)
        self._server = serve(self.state, self._protocols, quiet=self._quiet)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, name="kms-emulator", daemon=True
        )
        self._thread.start()
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        import time

        deadline = time.monotonic() + self._ready_timeout
        last: Exception | None = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + ADMIN_PREFIX + "/health", timeout=1.0) as answer:  # noqa: S310
                    if answer.status == 200:
                        return
            except OSError as error:
                last = error
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"the emulator did not become ready in {self._ready_timeout}s: {last}")

    def stop(self) -> None:
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
        if thread is not None:
            thread.join(timeout=5.0)
        if self.state is not None:
            self.state.close()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def admin_keys(self) -> list[Mapping[str, Any]]:
        """`GET /_emulator/keys`, over HTTP."""
        with urllib.request.urlopen(self.url + ADMIN_PREFIX + "/keys", timeout=5.0) as answer:  # noqa: S310
            data: list[Mapping[str, Any]] = json.loads(answer.read())
            return data
