"""Every default that shapes a request, named once for all vendors."""

from __future__ import annotations

TIMEOUT_SECONDS = 10.0
"""Deadline of each attempt, from its start to the last byte of the answer (connect, send and
the whole body; a server dripping bytes cannot stretch it). GetPublicKey answers in milliseconds."""

TOTAL_TIMEOUT_SECONDS: float | None = None
"""Deadline of a whole call across attempts and the waits between them; None means no cap
beyond what `MAX_RETRIES` attempts of `TIMEOUT_SECONDS` (and their backoff) add up to.
A retry that could not start before it is not made: the last error is raised instead."""

MAX_ANSWER_BYTES = 1024 * 1024
"""The largest answer read, on the wire and again after gzip/deflate decoding: a public key
answer is a few KB, so more is hostile or broken (`ResponseError`, not retried)."""

MAX_ANSWER_ITEMS = 2000
"""The most JSON values (counted as the `{`, `[` and `,` bytes) an answer may hold: a key
answer has a few dozen, and parsing time grows with their number (`ResponseError` beyond)."""

MAX_KEY_TEXT_BYTES = 64 * 1024
"""The longest public key text an answer may carry (PEM of the largest key is under 5 KB)."""

CONNECT_TIMEOUT_SECONDS = 5.0
MAX_RETRIES = 3
"""Retries after the first attempt, for connection errors, 5xx and throttling only."""

BACKOFF_BASE_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 5.0
RETRY_AFTER_CAP_SECONDS = 20.0
"""A Retry-After longer than this is not waited for: the error is raised at once."""

CLOCK_CORRECTION_THRESHOLD_SECONDS = 60.0
"""A clock-skew error corrects the signing clock only when the server's `Date` is further than
this from it. Far above the `Date` header's one-second grain and a slow round trip, far below
every vendor's window (15 minutes; 5 for some AWS fronts): a skew verdict with our clock
closer than this is not about our clock, and sending again would not help."""
USER_AGENT = "kms-pubkey/0.1.0"
SM2_DEFAULT_ID = b"1234567812345678"
"""The SM2 distinguishing ID of GB/T 35276 that all three vendors sign with by default. Here,
not in `algorithms`, so that `PublicKey` can name it without loading the algorithm tables."""
