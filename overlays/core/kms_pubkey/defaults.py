"""Every default that shapes a request, named once for all vendors."""

from __future__ import annotations

TIMEOUT_SECONDS = 10.0
"""Whole-request budget per attempt (connect, write, read): GetPublicKey answers in milliseconds."""

CONNECT_TIMEOUT_SECONDS = 5.0
MAX_RETRIES = 3
"""Retries after the first attempt, for connection errors, 5xx and throttling only."""

BACKOFF_BASE_SECONDS = 0.2
BACKOFF_CAP_SECONDS = 5.0
RETRY_AFTER_CAP_SECONDS = 20.0
"""A Retry-After longer than this is not waited for: the error is raised at once."""

MAX_CLOCK_SKEW_SECONDS = 15 * 60
USER_AGENT = "kms-pubkey/0.1.0"
