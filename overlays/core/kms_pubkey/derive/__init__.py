"""What is made from a `PublicKey`, the last of core's three steps (read -> key -> derive).

One module per product: `crypto` (the `cryptography` object), `jwk`, and for offline use
`verify`, `encrypt` and `agree` (ECDH, ML-KEM), which share `usage` (may this key take this
algorithm name?) and the public-key-only `sm2` and `ed25519ph` that `cryptography` lacks. They
may import the key value and the reading helpers; neither of those imports them at import
time, and this package imports none of its modules, so `cryptography` loads only when asked for.
"""
