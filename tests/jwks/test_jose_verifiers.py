"""Our JWKS, made from keys fetched from the emulator for every vendor, checked by pyjwt and joserfc.

The emulator never signs, so this test makes the private keys itself and hands their public
halves to the emulator through its documented state file (`--state-dir DIR` reads
`DIR/keys.json`). Each key is then fetched as a user would, through the vendor's client (so
`use` and `alg` come from what each vendor really answers), a JWT is signed with the private
key the way KMS Sign signs (ECDSA in DER, turned into JWS's r||s), and both libraries verify
it against the JWKS. The rest of the emulator's keys (the specs not in the state file are
made by the emulator) give the `use`/`alg` table for every vendor key spec.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from joserfc.jwk import KeySet

import kms_pubkey
from kms_pubkey import PublicKey, UnsupportedKeyError
from kms_pubkey_alibaba import AlibabaKmsClient, AlibabaKmsInstanceClient
from kms_pubkey_aws import AwsKmsClient
from kms_pubkey_emulator import Emulator, EmulatorConfig
from kms_pubkey_huawei import HuaweiKmsClient
from tests.support.jws import compact_jwt, local_kms_sign, verify_with_joserfc, verify_with_pyjwt

pytestmark = [
    pytest.mark.integration,
    # joserfc warns that RFC 9864 deprecates EdDSA; we publish it by default because pyjwt and
    # most verifiers know no other name (to_jwk(alg="Ed25519") gives RFC 9864's).
    pytest.mark.filterwarnings("ignore:EdDSA is deprecated"),
]

MAKERS = {
    "RSA_2048": lambda: rsa.generate_private_key(65537, 2048),
    "P256": lambda: ec.generate_private_key(ec.SECP256R1()),
    "SECP256K1": lambda: ec.generate_private_key(ec.SECP256K1()),
    "ED25519": ed25519.Ed25519PrivateKey.generate,
}
# (vendor, key spec, usage in the vendor's words, neutral algorithm): keys we hold the private half of.
SIGNING_KEYS = [
    ("aws", "RSA_2048", "SIGN_VERIFY", "RSA_2048"),
    ("aws", "ECC_NIST_P256", "SIGN_VERIFY", "P256"),
    ("aws", "ECC_SECG_P256K1", "SIGN_VERIFY", "SECP256K1"),
    ("aws", "ECC_NIST_EDWARDS25519", "SIGN_VERIFY", "ED25519"),
    ("alibaba", "RSA_2048", "SIGN/VERIFY", "RSA_2048"),
    ("alibaba", "EC_P256", "SIGN/VERIFY", "P256"),
    ("alibaba", "EC_P256K", "SIGN/VERIFY", "SECP256K1"),
    ("huawei", "RSA_2048", "SIGN_VERIFY", "RSA_2048"),
    ("huawei", "EC_P256", "SIGN_VERIFY", "P256"),
    ("huawei", "SECP256K1", "SIGN_VERIFY", "SECP256K1"),
    ("huawei", "ED25519", "SIGN_VERIFY", "ED25519"),
]
# (client, key spec) -> the JWK's (alg, use). AWS reports the usage and algorithms; Alibaba
# and Huawei answer with the key alone, so only key types they use for signing alone get a
# `use`, and an RSA key gets neither until the caller names one (`to_jwk(alg=...)`).
EXPECTED: dict[tuple[str, str], tuple[str | None, str | None] | None] = {
    ("aws", "RSA_2048"): (None, "sig"),  # six RS*/PS* fit
    ("aws", "RSA_3072"): (None, "sig"),
    ("aws", "RSA_4096"): (None, "enc"),  # ENCRYPT_DECRYPT: RSA-OAEP and RSA-OAEP-256 fit
    ("aws", "ECC_NIST_P256"): ("ES256", "sig"),
    ("aws", "ECC_NIST_P384"): ("ES384", "sig"),
    ("aws", "ECC_NIST_P521"): (None, "enc"),  # KEY_AGREEMENT: the four ECDH-ES algs fit
    ("aws", "ECC_SECG_P256K1"): ("ES256K", "sig"),
    ("aws", "ECC_NIST_EDWARDS25519"): ("EdDSA", "sig"),
    ("aws", "ML_DSA_44"): ("ML-DSA-44", "sig"),
    ("aws", "ML_DSA_65"): ("ML-DSA-65", "sig"),
    ("aws", "ML_DSA_87"): ("ML-DSA-87", "sig"),
    ("aws", "ML_KEM_768"): None,  # no JOSE form
    ("aws", "ML_KEM_1024"): None,
    ("alibaba", "RSA_2048"): (None, None),
    ("alibaba", "RSA_3072"): (None, None),
    ("alibaba", "EC_P256"): ("ES256", "sig"),
    ("alibaba", "EC_P256K"): ("ES256K", "sig"),
    ("alibaba-instance", "RSA_2048"): (None, None),
    ("alibaba-instance", "RSA_3072"): (None, None),
    ("alibaba-instance", "EC_P256"): ("ES256", "sig"),
    ("alibaba-instance", "EC_P256K"): ("ES256K", "sig"),
    ("huawei", "RSA_2048"): (None, None),
    ("huawei", "RSA_3072"): (None, None),
    ("huawei", "RSA_4096"): (None, None),
    ("huawei", "EC_P256"): ("ES256", "sig"),
    ("huawei", "EC_P384"): ("ES384", "sig"),
    ("huawei", "SECP256K1"): ("ES256K", "sig"),
    ("huawei", "ED25519"): ("EdDSA", "sig"),
}


@dataclass
class Fetched:
    key: PublicKey
    private: Any


@pytest.fixture(scope="module")
def emulator_with_our_keys(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Emulator, dict[str, Any]]]:
    state = tmp_path_factory.mktemp("jwks-emulator")
    privates: dict[str, Any] = {}
    stored = []
    for vendor, spec, usage, algorithm in SIGNING_KEYS:
        private = MAKERS[algorithm]()
        key_id = str(uuid.uuid4())
        privates[key_id] = private
        pem = private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        stored.append(
            {
                "vendor": vendor,
                "key_id": key_id,
                "key_version_id": str(uuid.uuid4()),
                "key_spec": spec,
                "key_usage": usage,
                "public_key_pem": pem.decode("ascii"),
                "aliases": [],
                "enabled": True,
                "algorithm": algorithm,
            }
        )
    (state / "keys.json").write_text(json.dumps({"version": 1, "keys": stored}), encoding="utf-8")
    with Emulator(EmulatorConfig(port=0, state_dir=state)) as emu:
        yield emu, privates


def fetch_all(emu: Emulator) -> list[tuple[str, str, PublicKey]]:
    """(client name, key spec, key) for every enabled key, each through its vendor's client."""
    from kms_pubkey_emulator.vendors.alibaba_instance import client_key

    c = emu.config
    secret = {"access_key_id": c.access_key_id}
    found = []
    with AwsKmsClient("us-east-1", endpoint=emu.url, secret_access_key=c.secret_access_key, **secret) as aws:
        found += [("aws", k.key_spec, aws.get_public_key(k.key_id)) for k in emu.keys_for("aws") if k.enabled]
    with AlibabaKmsClient(
        "cn-hangzhou", endpoint=emu.url, access_key_secret=c.secret_access_key, **secret
    ) as ali:
        found += [
            ("alibaba", k.key_spec, ali.get_public_key(k.key_id, k.key_version_id))
            for k in emu.keys_for("alibaba")
            if k.enabled
        ]
    material = client_key(emu.state)
    with AlibabaKmsInstanceClient(
        emu.url, client_key_file=material.client_key_file, client_key_password=material.password
    ) as instance:
        found += [
            ("alibaba-instance", k.key_spec, instance.get_public_key(k.key_id))
            for k in emu.keys_for("alibaba")
            if k.enabled
        ]
    with HuaweiKmsClient(
        "cn-north-4",
        project_id=c.huawei_project_id,
        endpoint=emu.url,
        access_key=c.access_key_id,
        secret_key=c.secret_access_key,
    ) as huawei:
        found += [
            ("huawei", k.key_spec, huawei.get_public_key(k.key_id))
            for k in emu.keys_for("huawei")
            if k.enabled
        ]
    return found


@pytest.fixture(scope="module")
def fetched(emulator_with_our_keys: tuple[Emulator, dict[str, Any]]) -> list[tuple[str, str, PublicKey]]:
    return fetch_all(emulator_with_our_keys[0])


def test_every_vendor_key_gets_the_expected_use_and_alg(fetched: list[tuple[str, str, PublicKey]]) -> None:
    seen = set()
    for client, spec, key in fetched:
        expected = EXPECTED[(client, spec)]
        seen.add((client, spec))
        if expected is None:
            with pytest.raises(UnsupportedKeyError):
                key.to_jwk()
            continue
        jwk = key.to_jwk()
        assert (jwk.get("alg"), jwk.get("use")) == expected, (client, spec)
        # kid="key_id": never the ARN; the key version where the answer carries one.
        kid = key.to_jwk(kid="key_id")["kid"]
        assert not kid.startswith("arn:")
        if key.key_version_id:
            assert kid.endswith("/" + key.key_version_id)
    # Every vendor's keys were seen (the table has no stale rows beyond specs a build cannot make).
    assert {client for client, _ in seen} == {"aws", "alibaba", "alibaba-instance", "huawei"}
    assert {("aws", "ECC_NIST_EDWARDS25519"), ("huawei", "ED25519"), ("alibaba", "EC_P256K")} <= seen


def test_jwks_of_every_vendor_is_one_document_both_libraries_read(
    fetched: list[tuple[str, str, PublicKey]],
) -> None:
    keys = [key for _, _, key in fetched]
    document = kms_pubkey.jwks(keys)
    # One JWK per distinct key JOSE can express (the shared and instance gateways answer with
    # the same keys, and the same key makes the same JWK); ML-KEM keys are left out.
    expected = {k.der for client, spec, k in fetched if EXPECTED[(client, spec)] is not None}
    assert len(document["keys"]) == len(expected)
    kids = [k["kid"] for k in document["keys"]]
    assert len(kids) == len(set(kids))
    # joserfc reads every key but the ML-DSA ones (no AKP support yet), and its own RFC 7638
    # thumbprint of each is our kid.
    classic = {"keys": [k for k in document["keys"] if k["kty"] != "AKP"]}
    for jwk in KeySet.import_key_set(classic).keys:
        assert jwk.thumbprint() == jwk.kid
    with pytest.raises(UnsupportedKeyError):
        kms_pubkey.jwks(keys, on_unsupported="error")


ALGS = {"RSA_2048": ["RS256", "PS256"], "P256": ["ES256"], "SECP256K1": ["ES256K"], "ED25519": ["EdDSA"]}
CASES = [(v, spec, algorithm, alg) for v, spec, _, algorithm in SIGNING_KEYS for alg in ALGS[algorithm]]


def ours(
    fetched: list[tuple[str, str, PublicKey]], privates: dict[str, Any], client: str, spec: str
) -> PublicKey:
    """The key this test holds the private half of (AWS answers with the key ARN: its id is last)."""
    (key,) = [
        k
        for c, s, k in fetched
        if (c, s) == (client, spec) and (k.key_id or "").rsplit("/", 1)[-1] in privates
    ]
    return key


def private_of(key: PublicKey, privates: dict[str, Any]) -> Any:
    return privates[(key.key_id or "").rsplit("/", 1)[-1]]


@pytest.mark.parametrize(("vendor", "spec", "algorithm", "alg"), CASES)
@pytest.mark.parametrize("verifier", [verify_with_pyjwt, verify_with_joserfc], ids=["pyjwt", "joserfc"])
def test_jwt_signed_with_the_key_verifies_against_our_jwks(
    emulator_with_our_keys: tuple[Emulator, dict[str, Any]],
    fetched: list[tuple[str, str, PublicKey]],
    vendor: str,
    spec: str,
    algorithm: str,
    alg: str,
    verifier: Any,
) -> None:
    _, privates = emulator_with_our_keys
    key = ours(fetched, privates, vendor, spec)
    document = kms_pubkey.jwks([k for _, _, k in fetched])
    kid = key.to_jwk()["kid"]
    claims = {"sub": f"{vendor}:{spec}", "iss": "kms-pubkey-tests"}
    token = compact_jwt(alg, kid, claims, local_kms_sign(private_of(key, privates), alg))
    assert verifier(token, document, alg) == claims
    # The same token signed by another key of the kind is refused, so this check can fail.
    forged = compact_jwt(alg, kid, claims, local_kms_sign(MAKERS[algorithm](), alg))
    with pytest.raises(Exception, match="(?i)signature|verif"):
        verifier(forged, document, alg)


def test_ed25519_fully_specified_alg_with_joserfc(
    emulator_with_our_keys: tuple[Emulator, dict[str, Any]], fetched: list[tuple[str, str, PublicKey]]
) -> None:
    """RFC 9864's `Ed25519` alg, as `to_jwk(alg="Ed25519")` publishes it."""
    _, privates = emulator_with_our_keys
    key = ours(fetched, privates, "aws", "ECC_NIST_EDWARDS25519")
    document = {"keys": [key.to_jwk(alg="Ed25519")]}
    claims = {"sub": "ed25519"}
    sign = local_kms_sign(private_of(key, privates), "Ed25519")
    token = compact_jwt("Ed25519", document["keys"][0]["kid"], claims, sign)
    assert verify_with_joserfc(token, document, "Ed25519") == claims
