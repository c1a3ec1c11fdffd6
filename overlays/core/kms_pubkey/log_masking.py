"""Secrets in logged URLs: Alibaba's v1 signature and STS token travel in the query, and httpx
logs each request's full URL at INFO; this filter masks them in every record we or httpx log."""

from __future__ import annotations

import logging
import re

SECRET_QUERY_NAMES = (
    "Signature",
    "SecurityToken",
    "X-Amz-Signature",
    "X-Amz-Security-Token",
    "X-Amz-Credential",
    "AccessKeySecret",
    "access_token",
    "auth_token",
    "token",
)
"""Query parameters whose values are masked in log records: Alibaba's v1 signature and STS
token travel in the query, and httpx logs each request's full URL at INFO."""

# A pattern string, compiled (and cached by `re`) when a record is first filtered: most programs
# never log a request, and compiling it at import was a fixed cost of every cold start.
_SECRET_QUERY = (
    r"(?i)((?:^|[?&;\s])(?:" + "|".join(re.escape(name) for name in SECRET_QUERY_NAMES) + r")=)[^&;\s\"']*"
)
HTTP_LOGGERS = (
    "httpx",
    "httpcore.connection",
    "httpcore.connection_pool",
    "httpcore.http11",
    "httpcore.http2",
    "httpcore.proxy",
    "httpcore.socks",
)
"""Where httpx and httpcore log (a filter on a logger sees only its own records, not its children's)."""


class QuerySecretFilter(logging.Filter):
    """Masks the values of `SECRET_QUERY_NAMES` in a record's message, keeping the record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken record is the logging module's to report
            return True
        masked = re.sub(_SECRET_QUERY, r"\1***", message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_LOG_FILTER = QuerySecretFilter()


def install_log_filter() -> None:
    """Attach the query-secret filter to the loggers of httpx and httpcore (and ours); idempotent.

    Called whenever a client is built, so it is in place before any request is logged.
    """
    for name in ("kms_pubkey", *HTTP_LOGGERS):
        logging.getLogger(name).addFilter(_LOG_FILTER)  # addFilter ignores a second copy
