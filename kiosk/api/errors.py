"""Errors of the app's own central API requests (images; sync has offline_cache.remote's), by meaning."""

from __future__ import annotations


class CentralError(Exception):
    """Anything that kept a request to the central API from giving a usable answer."""


class CentralUnreachable(CentralError):
    """No answer: connection refused, DNS, network down, timeout. The environment's fault; retry later."""


class CentralRejected(CentralError):
    """The central API understood the request and refused it with a problem+json 4xx."""

    def __init__(self, status: int, code: str, detail: str) -> None:
        super().__init__(f"{status} {code}: {detail}")
        self.status = status
        self.code = code
        self.detail = detail


class CentralUnauthorized(CentralRejected):
    """401: the token (or enrolment key) is unknown, expired or missing."""


class CentralFailed(CentralError):
    """The central API failed (5xx) or answered with a body this client cannot use."""

    def __init__(self, detail: str, status: int | None = None) -> None:
        super().__init__(f"{status} {detail}" if status is not None else detail)
        self.status = status
        self.detail = detail
