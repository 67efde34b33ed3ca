"""ApiError: a client-visible failure with its HTTP status and a stable code."""

from __future__ import annotations


class ApiError(Exception):
    """Raised anywhere below the handler; becomes {"error": {"code", "message"}}."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_request(message: str) -> ApiError:
    return ApiError(400, "bad_request", message)


def not_found(message: str = "no item with this id") -> ApiError:
    return ApiError(404, "not_found", message)
