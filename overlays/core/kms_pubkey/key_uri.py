"""Key URIs: one string names one key, for every vendor.

AWS keys are written exactly as cosign writes them, `awskms://[ENDPOINT]/KEY`. The rules are
those of sigstore/sigstore `pkg/signature/kms/aws/client.go` (commit bd0ad712, the regexes
`keyIDRE`, `keyARNRE`, `aliasNameRE`, `aliasARNRE`, tried in that order) and cosign's `KMS.md`:

- `ENDPOINT` is everything between `awskms://` and the next `/` (`([^/]*)/`); empty means the
  default endpoint, so a URI without one has three slashes. cosign connects to `https://ENDPOINT`.
- `KEY` is the rest, whole, and one of:
  key id `m?r?k?-?` + 8-4-4-4-12 hex digits, the dashes optional (so `mrk-` multi-Region ids);
  key ARN `arn:(aws|aws-us-gov|aws-cn):kms:REGION:ACCOUNT(12 digits):key/` + a key id;
  alias `alias/...`; alias ARN `arn:...:ACCOUNT:alias/...`.
- The key id sent to KMS is `KEY` as written (cosign's `keyID`); the region of an ARN is the
  region the request goes to (cosign leaves that to the SDK's configuration).

Where cosign accepts any text after `alias/`, we also require what KMS does of an alias name
(`[A-Za-z0-9/_-]+`), so a URI that could never name a key fails here rather than at KMS.

The other vendors take the same shape, `SCHEME://[PLACE]/KEY[?version=V]`:

- `alikms://[REGION or ENDPOINT]/KEY?version=KEY_VERSION_ID`: Alibaba Cloud KMS, shared
  gateway (the scheme of the community sigstore plugin for Alibaba Cloud). `version` is
  required: GetPublicKey needs a KeyVersionId.
- `alikms-instance://ENDPOINT/KEY`: a KMS instance's dedicated gateway; the endpoint is
  required and the API has no key version.
- `huaweikms://[REGION or ENDPOINT]/KEY_ID`: Huawei Cloud KMS; keys have no versions.

PLACE is a region when it is one (letters, digits and dashes with at least one dash, e.g.
`cn-hangzhou`), else a host with an optional port, reached over https. Empty PLACE leaves the
region to the vendor's usual settings (environment, profile). `?` never occurs in a key id
or alias, so the query cannot be mistaken for part of the key.
"""

from __future__ import annotations

import re
import urllib.parse

from kms_pubkey.checks import check_id
from kms_pubkey.endpoints import check_endpoint
from kms_pubkey.errors import ValidationError
from kms_pubkey.frozen import Frozen

# scheme -> the vendor plugin name (as `kms-pubkey get <vendor>` and VENDOR_WHEELS spell it)
SCHEMES = {
    "awskms": "aws",
    "alikms": "alibaba",
    "alikms-instance": "alibaba-instance",
    "huaweikms": "huawei",
}

# sigstore/sigstore pkg/signature/kms/aws/client.go: uuidRE, arnRE, and the four KEY forms.
_AWS_UUID = r"m?r?k?-?[A-Fa-f0-9]{8}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{4}-?[A-Fa-f0-9]{12}"
_AWS_ARN = r"arn:(?:aws|aws-us-gov|aws-cn):kms:(?P<region>[a-z0-9-]+):\d{12}:"
_AWS_KEY_ID = re.compile(_AWS_UUID)
_AWS_KEY_ARN = re.compile(_AWS_ARN + "key/" + _AWS_UUID)
_AWS_ALIAS = re.compile(r"alias/.*", re.DOTALL)
_AWS_ALIAS_ARN = re.compile(_AWS_ARN + r"(?P<alias>alias/.*)", re.DOTALL)
_AWS_ALIAS_NAME = re.compile(r"alias/[A-Za-z0-9/_-]+")  # KMS CreateAlias AliasName pattern
# Huawei ShowPublicKey's key_id pattern (API reference).
_HUAWEI_KEY_ID = re.compile(r"[0-9a-z]{8}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{12}")
_REGION = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)+")


class KeyUri(Frozen):
    """A parsed key URI. `str()` gives it back in its canonical form."""

    __slots__ = ("alias", "endpoint", "key_id", "key_version_id", "region", "scheme")
    scheme: str
    key_id: str
    """What the service is asked for: a key id, ARN or alias, exactly as written."""
    endpoint: str | None
    """Host and optional port, reached over https; None for the vendor's default."""
    region: str | None
    key_version_id: str | None
    alias: bool
    """The key is named by an alias, which can be re-pointed to another key."""

    def __init__(
        self,
        scheme: str,
        key_id: str,
        endpoint: str | None = None,
        region: str | None = None,
        key_version_id: str | None = None,
        alias: bool = False,
    ) -> None:
        self._set(
            scheme=scheme,
            key_id=key_id,
            endpoint=endpoint,
            region=region,
            key_version_id=key_version_id,
            alias=alias,
        )

    @property
    def vendor(self) -> str:
        """The vendor plugin that fetches it: aws, alibaba, alibaba-instance or huawei."""
        return SCHEMES[self.scheme]

    @property
    def endpoint_url(self) -> str | None:
        return None if self.endpoint is None else f"https://{self.endpoint}"

    @property
    def immutable(self) -> bool:
        """Its public key can never change: an AWS key id or key ARN, or a key id with its version.

        An alias can be re-pointed; a key id without a version (Huawei, a KMS instance) is
        asked for whatever the service holds, so it is not promised to stay the same.
        """
        if self.alias:
            return False
        return self.scheme == "awskms" or self.key_version_id is not None

    def __str__(self) -> str:
        place = self.endpoint or ("" if self.scheme == "awskms" else self.region or "")
        version = self.key_version_id
        query = "" if version is None else "?version=" + urllib.parse.quote(version, safe="")
        return f"{self.scheme}://{place}/{self.key_id}{query}"


def parse_key_uri(text: str | KeyUri) -> KeyUri:
    """Parse a key URI (see the module docstring); a bad one is a `ValidationError` naming the part.

    A `KeyUri` is returned as it is."""
    if isinstance(text, KeyUri):
        return text
    if not isinstance(text, str):
        raise ValidationError(f"a key URI must be a string, not {type(text).__name__}")
    shown = _shown(text)
    scheme, sep, rest = text.partition("://")
    if not sep:
        raise ValidationError(
            f"key URI {shown}: no scheme; write SCHEME://[PLACE]/KEY, e.g. awskms:///alias/x"
        )
    if scheme not in SCHEMES:
        raise ValidationError(f"key URI {shown}: unknown scheme {scheme!r}; known: {', '.join(SCHEMES)}")
    place, slash, key = rest.partition("/")
    if not slash:
        raise ValidationError(
            f"key URI {shown}: no '/' before the key; with no endpoint or region write "
            f"three slashes ({scheme}:///KEY)"
        )
    if scheme == "awskms":
        return _aws(shown, place, key)
    key, _, query = key.partition("?")
    version = _version(shown, scheme, query)
    if scheme == "alikms-instance":
        if not place:
            raise ValidationError(
                f"key URI {shown}: the KMS instance endpoint is missing (alikms-instance://HOST/KEY)"
            )
        return KeyUri(scheme, _key(shown, key, "key id or alias"), _host(shown, place), alias=_is_alias(key))
    endpoint, region = _place(shown, place)
    if scheme == "huaweikms":
        if not _HUAWEI_KEY_ID.fullmatch(key):
            raise ValidationError(
                f"key URI {shown}: key id {_shown(key)} is not a Huawei key id "
                "(8-4-4-4-12 lower-case letters and digits)"
            )
        return KeyUri(scheme, key, endpoint, region)
    return KeyUri(scheme, _key(shown, key, "key id or alias"), endpoint, region, version, _is_alias(key))


def _aws(shown: str, place: str, key: str) -> KeyUri:
    endpoint = _host(shown, place) if place else None
    if _AWS_KEY_ID.fullmatch(key):
        return KeyUri("awskms", key, endpoint)
    arn = _AWS_KEY_ARN.fullmatch(key)
    if arn:
        return KeyUri("awskms", key, endpoint, arn["region"])
    if _AWS_ALIAS.fullmatch(key):
        return KeyUri("awskms", _alias(shown, key, key), endpoint, alias=True)
    arn = _AWS_ALIAS_ARN.fullmatch(key)
    if arn:
        return KeyUri("awskms", _alias(shown, key, arn["alias"]), endpoint, arn["region"], alias=True)
    hint = f"; with no endpoint, write three slashes (awskms:///{place}/...)" if place else ""
    raise ValidationError(
        f"key URI {shown}: key {_shown(key)} is not a key id, key ARN, alias (alias/NAME) or alias ARN{hint}"
    )


def _alias(shown: str, key: str, name: str) -> str:
    if not _AWS_ALIAS_NAME.fullmatch(name) or len(name) > 256:
        raise ValidationError(
            f"key URI {shown}: alias {_shown(name)} is not an alias name "
            "(alias/ and 1 to 250 letters, digits, '/', '_' or '-')"
        )
    return key


def _version(shown: str, scheme: str, query: str) -> str | None:
    try:
        fields = urllib.parse.parse_qsl(query, keep_blank_values=True, strict_parsing=bool(query))
    except ValueError:
        raise ValidationError(f"key URI {shown}: the query {_shown(query)} is not NAME=VALUE pairs") from None
    names = [name for name, _ in fields]
    unknown = sorted(set(names) - {"version"})
    if scheme != "alikms" and fields:
        raise ValidationError(f"key URI {shown}: {scheme} URIs take no query ({', '.join(names)} given)")
    if unknown:
        raise ValidationError(f"key URI {shown}: unknown query parameter {unknown[0]!r}; only 'version'")
    if names.count("version") > 1:
        raise ValidationError(f"key URI {shown}: 'version' is given more than once")
    if scheme != "alikms":
        return None
    if not fields or not fields[0][1]:
        raise ValidationError(f"key URI {shown}: the key version is missing (alikms://PLACE/KEY?version=V)")
    return check_id(fields[0][1], "the key version", in_query=True)


def _key(shown: str, key: str, kinds: str) -> str:
    if not key:
        raise ValidationError(f"key URI {shown}: the key is missing ({kinds})")
    try:
        return check_id(key, "key", kinds, in_query=True)
    except ValidationError as error:
        raise ValidationError(f"key URI {shown}: {error}") from None


def _is_alias(key: str) -> bool:
    return key.startswith("alias/")


def _place(shown: str, place: str) -> tuple[str | None, str | None]:
    """(endpoint, region): a region when PLACE looks like one, else a host[:port]."""
    if not place:
        return None, None
    if _REGION.fullmatch(place):
        return None, place
    return _host(shown, place), None


def _host(shown: str, place: str) -> str:
    try:
        check_endpoint(f"https://{place}")
    except ValidationError:
        raise ValidationError(f"key URI {shown}: endpoint {_shown(place)} is not HOST or HOST:PORT") from None
    if any(ch in place for ch in "@?#\\ ") or not place.strip():
        raise ValidationError(f"key URI {shown}: endpoint {_shown(place)} is not HOST or HOST:PORT")
    return place


def _shown(text: str, limit: int = 120) -> str:
    """Quoted for a message, cut short: a URI names a key and carries no secret, but may be long."""
    return repr(text if len(text) <= limit else text[:limit] + "...")
