"""Alibaba Cloud KMS instance, dedicated gateway: protobuf `GetPublicKey`, `Sign`, `Verify`,
`Encrypt` and `Decrypt`, chosen by `x-kms-apiname`.

It serves the same keys as the shared gateway (vendor name `alibaba`). Its credentials are
one ClientKey, made at start (the `credentials` hook) and written, like the console hands them
out, into `<files_dir>/alibaba-instance/` (`files_dir` is the state dir, or a temporary
directory removed at stop):

- `clientKey_<KeyId>.json`: `{"KeyId": "KAAP.<uuid>", "PrivateKeyData": base64(PKCS#12)}`;
- `clientKey_<KeyId>_Password.txt`: the PKCS#12 password;
- `ca.pem`: the instance CA, and `server.pem`/`server-key.pem`, a certificate it issued for
  127.0.0.1 and localhost (so a test can serve the app over TLS and check `ca_file`).

`client_key(state)` returns the paths and the password. With a state dir the same ClientKey
is reused after a restart.

Each request is checked as the service checks it: the signature is verified with the
ClientKey's public key over the string to sign, rebuilt here from what arrived on the wire
(method, `content-sha256`, `content-type`, `date`, every `x-kms-*` header, `/`), and
`content-sha256` must be the body's. Answers are `application/x-protobuf`: a
`GetPublicKeyResponse`, or an `Error{StatusCode, ErrorCode, ErrorMessage, RequestId}`:

| case | status | ErrorCode |
| --- | --- | --- |
| `x-kms-apiversion` missing or not `dkms-gcs-0.2` | 400 | `InvalidApiVersion` |
| `x-kms-apiname` not one of the five above (the message names it) | 400 | `InvalidApiName` |
| `x-kms-signaturemethod` missing or not `RSA_PKCS1_SHA_256` | 400 | `InvalidParam` |
| `date` missing or not RFC 1123 | 400 | `InvalidParam` |
| `x-kms-acccesskeyid` missing | 400 | `MissingParameter` |
| `date` more than 15 minutes off | 400 | `RequestTimeTooSkewed` |
| unknown ClientKey, bad `Authorization`, wrong signature or body hash | 401 | `Rejected.Unauthorized` |
| body is not the API's request message, or has no KeyId | 400 | `InvalidParameter` |
| an algorithm, message type, digest, plaintext or ciphertext that does not fit | 400 | `InvalidParameter` |
| unknown key or alias | 404 | `Forbidden.KeyNotFound` |
| disabled key | 400 | `Forbidden.KeyNotEnabled` |

Sign takes `MessageType` RAW (the default, as the SDK's model says) or DIGEST (`Message` is then
the digest; a request with only the older `Digest` field is read as DIGEST). Verify answers
`Value` false for a bad signature. Algorithms: `alibaba_operations.py`.

The 400 codes are the vendor's published common error codes; the 401/404 codes follow the
vendor's naming (`Rejected.*`, `Forbidden.*`) where no page was at hand to confirm them.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import email.utils
import hashlib
import ipaddress
import json
import secrets
import threading
import uuid
import weakref
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from werkzeug.wrappers import Request, Response

from kms_pubkey_emulator import protobuf
from kms_pubkey_emulator.keys import StoredKey
from kms_pubkey_emulator.protocol import EmulatorState
from kms_pubkey_emulator.vendors import alibaba, alibaba_operations
from kms_pubkey_emulator.vendors.alibaba_operations import AlibabaError

CONTENT_TYPE = "application/x-protobuf"
API_VERSION = "dkms-gcs-0.2"
SIGNATURE_METHOD = "RSA_PKCS1_SHA_256"
ACCESS_KEY_HEADER = "x-kms-acccesskeyid"
SUBDIR = "alibaba-instance"
API_NAMES = ("GetPublicKey", "Sign", "Verify", "Encrypt", "Decrypt")


@dataclasses.dataclass(frozen=True)
class ClientKeyFiles:
    """Where the emulator's ClientKey and CA are, and the password (left out of `repr`)."""

    key_id: str
    client_key_file: Path
    password_file: Path
    ca_file: Path
    server_cert_file: Path
    server_key_file: Path
    password: str = dataclasses.field(repr=False)
    public_key: rsa.RSAPublicKey = dataclasses.field(repr=False)


class InstanceError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(code)
        self.status, self.code, self.message = status, code, message


# ---------------------------------------------------------------- ClientKey and CA material


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(
    subject: str,
    key: rsa.RSAPrivateKey,
    issuer: str,
    issuer_key: rsa.RSAPrivateKey,
    *,
    ca: bool,
    server: bool,
) -> x509.Certificate:
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3650))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
    )
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True
        )
    if server:
        builder = builder.add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        ).add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def client_key_document(key_id: str, private_key: rsa.RSAPrivateKey, password: str) -> str:
    """A ClientKey file's JSON: the key (and a self-signed certificate) as password-protected PKCS#12."""
    cert = _certificate(key_id, private_key, key_id, private_key, ca=False, server=False)
    blob = pkcs12.serialize_key_and_certificates(
        key_id.encode("utf-8"),
        private_key,
        cert,
        None,
        serialization.BestAvailableEncryption(password.encode("utf-8")),
    )
    return json.dumps({"KeyId": key_id, "PrivateKeyData": base64.b64encode(blob).decode("ascii")}, indent=2)


def _write(path: Path, data: str | bytes, private: bool = False) -> None:
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    if private:
        path.chmod(0o600)


def _create(directory: Path) -> ClientKeyFiles:
    directory.mkdir(parents=True, exist_ok=True)
    key_id = f"KAAP.{uuid.uuid4()}"
    password = secrets.token_urlsafe(18)
    client = rsa.generate_private_key(65537, 2048)
    ca_key = rsa.generate_private_key(65537, 2048)
    ca_cert = _certificate(
        "kms-pubkey emulator instance CA",
        ca_key,
        "kms-pubkey emulator instance CA",
        ca_key,
        ca=True,
        server=False,
    )
    server_key = rsa.generate_private_key(65537, 2048)
    server_cert = _certificate(
        "localhost", server_key, "kms-pubkey emulator instance CA", ca_key, ca=False, server=True
    )
    files = _paths(directory, key_id, password, client.public_key())
    _write(files.client_key_file, client_key_document(key_id, client, password), private=True)
    _write(files.password_file, password, private=True)
    _write(files.ca_file, ca_cert.public_bytes(serialization.Encoding.PEM))
    _write(files.server_cert_file, server_cert.public_bytes(serialization.Encoding.PEM))
    _write(
        files.server_key_file,
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ),
        private=True,
    )
    return files


def _paths(directory: Path, key_id: str, password: str, public_key: rsa.RSAPublicKey) -> ClientKeyFiles:
    return ClientKeyFiles(
        key_id=key_id,
        client_key_file=directory / f"clientKey_{key_id}.json",
        password_file=directory / f"clientKey_{key_id}_Password.txt",
        ca_file=directory / "ca.pem",
        server_cert_file=directory / "server.pem",
        server_key_file=directory / "server-key.pem",
        password=password,
        public_key=public_key,
    )


def _load(directory: Path) -> ClientKeyFiles | None:
    """The ClientKey saved in a state dir by an earlier run, if it is complete and readable."""
    found = sorted(directory.glob("clientKey_*.json")) if directory.is_dir() else []
    if len(found) != 1:
        return None
    try:
        document = json.loads(found[0].read_text(encoding="utf-8"))
        key_id = str(document["KeyId"])
        password = (directory / f"clientKey_{key_id}_Password.txt").read_text(encoding="utf-8")
        private, _, _ = pkcs12.load_key_and_certificates(
            base64.b64decode(document["PrivateKeyData"]), password.encode("utf-8")
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(private, rsa.RSAPrivateKey):
        return None
    files = _paths(directory, key_id, password, private.public_key())
    if not all(p.exists() for p in (files.ca_file, files.server_cert_file, files.server_key_file)):
        return None
    return files


_MATERIAL: weakref.WeakKeyDictionary[EmulatorState, ClientKeyFiles] = weakref.WeakKeyDictionary()
_MATERIAL_LOCK = threading.Lock()


def client_key(state: EmulatorState) -> ClientKeyFiles:
    """The emulator's ClientKey files: reloaded from `files_dir` if an earlier run left them, else made."""
    with _MATERIAL_LOCK:
        files = _MATERIAL.get(state)
        if files is None:
            directory = state.files_dir / SUBDIR
            files = _load(directory) or _create(directory)
            _MATERIAL[state] = files
        return files


# ---------------------------------------------------------------- the protocol


def _error(status: int, code: str, message: str, request_id: str) -> Response:
    body = protobuf.error(status, code, message, request_id)
    return Response(body, status=status, content_type=CONTENT_TYPE)


def _parse_date(value: str) -> datetime | None:
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None or when.tzinfo is None:
        return None
    return when


def _string_to_sign(request: Request) -> str:
    """Rebuilt from the wire, independently of the client library's signer."""
    x_kms = sorted(
        (name.lower(), value.strip())
        for name, value in request.headers.items()
        if name.lower().startswith("x-kms-")
    )
    lines = "".join(f"{name}:{value}\n" for name, value in x_kms)
    return (
        f"{request.method}\n{request.headers.get('content-sha256', '')}\n"
        f"{request.headers.get('content-type', '')}\n{request.headers.get('date', '')}\n{lines}/"
    )


class AlibabaInstanceProtocol:
    name = "alibaba"
    key_specs = alibaba.KEY_SPECS

    def matches(self, request: Request) -> bool:
        return request.method == "POST" and "x-kms-apiname" in request.headers

    def credentials(self, state: EmulatorState) -> dict[str, str]:
        files = client_key(state)
        return {
            "client_key_id": files.key_id,
            "client_key_file": str(files.client_key_file),
            "client_key_password_file": str(files.password_file),
            "ca_file": str(files.ca_file),
        }

    def handle(self, request: Request, state: EmulatorState) -> Response:
        request_id = str(uuid.uuid4())
        try:
            body = request.get_data(cache=True)
            self._verify(request, body, state)
            try:
                answer = self._answer(request.headers["x-kms-apiname"], body, state, request_id)
            except protobuf.DecodeError:
                raise InstanceError(
                    400, "InvalidParameter", "The specified parameter is not valid."
                ) from None
        except InstanceError as error:
            return _error(error.status, error.code, error.message, request_id)
        except AlibabaError as error:
            return _error(error.status, error.code, error.message, request_id)
        return Response(answer, status=200, content_type=CONTENT_TYPE)

    def _answer(self, api_name: str, body: bytes, state: EmulatorState, request_id: str) -> bytes:
        if api_name == "GetPublicKey":
            key = self._resolve(protobuf.get_public_key_request_key_id(body), state)
            return protobuf.get_public_key_response(key.key_id, key.public_key_pem, request_id)
        if api_name in ("Sign", "Verify"):
            names = protobuf.SIGN_REQUEST if api_name == "Sign" else protobuf.VERIFY_REQUEST
            got = protobuf.fields(body, names)
            key = self._resolve(protobuf.text(got["KeyId"]), state)
            algorithm = protobuf.text(got["Algorithm"])
            message_type = protobuf.text(got["MessageType"]) or ("DIGEST" if got["Digest"] else "RAW")
            data = got["Message"] or got["Digest"]
            if api_name == "Sign":
                signature = alibaba_operations.sign(key, algorithm, data, message_type)
                return protobuf.sign_response(key.key_id, signature, request_id, algorithm, message_type)
            valid = alibaba_operations.verify(key, algorithm, got["Signature"], data, message_type)
            return protobuf.verify_response(key.key_id, valid, request_id, algorithm, message_type)
        names = protobuf.ENCRYPT_REQUEST if api_name == "Encrypt" else protobuf.DECRYPT_REQUEST
        got = protobuf.fields(body, names)
        key = self._resolve(protobuf.text(got["KeyId"]), state)
        algorithm = protobuf.text(got["Algorithm"])
        if api_name == "Encrypt":
            ciphertext = alibaba_operations.encrypt(key, algorithm, got["Plaintext"])
            return protobuf.encrypt_response(key.key_id, ciphertext, request_id, algorithm)
        plaintext = alibaba_operations.decrypt(key, algorithm, got["CiphertextBlob"])
        return protobuf.decrypt_response(key.key_id, plaintext, request_id, algorithm)

    def _verify(self, request: Request, body: bytes, state: EmulatorState) -> None:
        headers = request.headers
        version = headers.get("x-kms-apiversion")
        if version != API_VERSION:
            raise InstanceError(400, "InvalidApiVersion", f'The ApiVersion "{version or ""}" is invalid.')
        api_name = headers.get("x-kms-apiname", "")
        if api_name not in API_NAMES:
            raise InstanceError(400, "InvalidApiName", f'The ApiName "{api_name}" is invalid.')
        method = headers.get("x-kms-signaturemethod")
        if method is None:
            raise InstanceError(400, "InvalidParam", "The Param x-kms-signaturemethod is invalid.")
        if method != SIGNATURE_METHOD:
            raise InstanceError(
                400, "InvalidParam", f'The Param x-kms-signaturemethod is invalid. message:"{method}".'
            )
        when = _parse_date(headers.get("date", ""))
        if when is None:
            raise InstanceError(400, "InvalidParam", "The Param Date is invalid.")
        access_key_id = headers.get(ACCESS_KEY_HEADER)
        if not access_key_id:
            raise InstanceError(
                400,
                "MissingParameter",
                f"Parameter {ACCESS_KEY_HEADER} does not exist in http header or body.",
            )
        if not state.skew_ok(when):
            raise InstanceError(
                400, "RequestTimeTooSkewed", "Request time exceeds server time more than 15 minutes."
            )
        material = client_key(state)
        unauthorized = InstanceError(401, "Rejected.Unauthorized", "The request signature is not valid.")
        if access_key_id != material.key_id:
            raise InstanceError(401, "Rejected.Unauthorized", "The specified ClientKey does not exist.")
        scheme, _, token = headers.get("authorization", "").partition(" ")
        if scheme != "Bearer" or not token:
            raise unauthorized
        if headers.get("content-sha256", "") != hashlib.sha256(body).hexdigest().upper():
            raise unauthorized
        try:
            signature = base64.b64decode(token, validate=True)
            material.public_key.verify(
                signature, _string_to_sign(request).encode("utf-8"), padding.PKCS1v15(), hashes.SHA256()
            )
        except (binascii.Error, ValueError, InvalidSignature):
            raise unauthorized from None

    def _resolve(self, key_id: str, state: EmulatorState) -> StoredKey:
        if not key_id:
            raise InstanceError(400, "InvalidParameter", "The specified parameter is not valid.")
        key = state.keys.get(self.name, key_id)
        if key is None and key_id.startswith("alias/"):
            key = state.keys.by_alias(self.name, key_id)
        if key is None:
            raise InstanceError(404, "Forbidden.KeyNotFound", "The specified Key is not found.")
        if not key.enabled:
            raise InstanceError(400, "Forbidden.KeyNotEnabled", "The specified Key is not enabled.")
        return key


PROTOCOL = AlibabaInstanceProtocol()
