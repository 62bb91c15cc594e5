"""Domain errors and the one place that turns them into the SPEC error body.

Every error a client can cause is an ``AnnexError`` with an HTTP status, a snake_case code and a
human message; nothing else (no ``str(exc)`` of a library error) reaches a response body.
"""

from __future__ import annotations

from typing import Any, ClassVar


class AnnexError(Exception):
    status: ClassVar[int] = 400
    code: ClassVar[str] = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.headers = headers or {}
        if code is not None:
            self.code = code  # type: ignore[misc]

    def body(self) -> dict[str, Any]:
        return {"error": True, "code": self.code, "message": self.message}


class BadRequest(AnnexError):
    status = 400
    code = "bad_request"


class Unauthorized(AnnexError):
    status = 401
    code = "unauthorized"


class NotFound(AnnexError):
    status = 404
    code = "not_found"


class Conflict(AnnexError):
    status = 409
    code = "conflict"


class PreconditionFailed(AnnexError):
    status = 412
    code = "precondition_failed"


class PayloadTooLarge(AnnexError):
    status = 413
    code = "payload_too_large"


class Throttled(AnnexError):
    status = 429
    code = "throttled"


class Unavailable(AnnexError):
    status = 503
    code = "unavailable"


def describe(errors: Any) -> str:
    """A readable one-line summary of pydantic errors: where, and what is wrong (no input echoed)."""
    parts = []
    for error in list(errors)[:3]:
        if error.get("type") == "json_invalid":
            parts.append("the body is not valid JSON")
            continue
        loc = ".".join(str(p) for p in error.get("loc", ()) if p not in ("body",)) or "body"
        parts.append(f"{loc}: {str(error.get('msg', 'invalid value')).removeprefix('Value error, ')}")
    return "; ".join(parts) or "invalid request"
