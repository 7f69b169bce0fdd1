"""RFC 9457 problem details: the one error type every endpoint raises and renders."""

from __future__ import annotations

from typing import Any

PROBLEM_JSON = "application/problem+json"


def problem_type(code: str) -> str:
    """The stable ``type`` URI for a problem code."""
    return f"urn:store-kiosk:problem:{code}"


class Problem(Exception):
    """An error a client caused or must handle, rendered as problem+json."""

    def __init__(self, status: int, code: str, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.detail = detail
        self.extra = extra

    def body(self, instance: str | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": problem_type(self.code),
            "title": self.code.replace("_", " ").capitalize(),
            "status": self.status,
            "detail": self.detail,
            "code": self.code,
        }
        if instance:
            body["instance"] = instance
        body.update(self.extra)
        return body
