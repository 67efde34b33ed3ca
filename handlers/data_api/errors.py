"""ApiError: a client-visible failure with its HTTP status and a stable code.

The codes are API Gateway's own UPPER_SNAKE response-type names, so an error from
the handler and one from the gateway ($context.error.responseType) read alike.
The template imports these constants; no code is spelled anywhere else.
"""

from __future__ import annotations

BAD_REQUEST_BODY = "BAD_REQUEST_BODY"  # body, JSON or field problems
BAD_REQUEST_PARAMETERS = "BAD_REQUEST_PARAMETERS"  # path id, query, If-Match header
NOT_FOUND = "NOT_FOUND"
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
CONFLICT = "CONFLICT"
REQUEST_IN_PROGRESS = "REQUEST_IN_PROGRESS"  # 409: the first with this Idempotency-Key runs
IDEMPOTENCY_KEY_REUSED = "IDEMPOTENCY_KEY_REUSED"  # 422: the key, with another request
PRECONDITION_FAILED = "PRECONDITION_FAILED"
REQUEST_TOO_LARGE = "REQUEST_TOO_LARGE"  # 413
UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"  # 415
THROTTLED = "THROTTLED"  # 503 from the handler when DynamoDB throttles
ACCESS_DENIED = "ACCESS_DENIED"  # 403: the caller lacks the right
UNAUTHORIZED = "UNAUTHORIZED"  # 401
INTERNAL_ERROR = "INTERNAL_ERROR"  # 500

CODES = (BAD_REQUEST_BODY, BAD_REQUEST_PARAMETERS, NOT_FOUND, METHOD_NOT_ALLOWED, CONFLICT,
         REQUEST_IN_PROGRESS, IDEMPOTENCY_KEY_REUSED, PRECONDITION_FAILED, REQUEST_TOO_LARGE,
         UNSUPPORTED_MEDIA_TYPE, THROTTLED, ACCESS_DENIED, UNAUTHORIZED, INTERNAL_ERROR)


class ApiError(Exception):
    """Raised anywhere below the handler; becomes {"error": {"code", "message"}}."""

    def __init__(self, status: int, code: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}


def bad_body(message: str) -> ApiError:
    """A 400 for the request body: JSON syntax, fields, values."""
    return ApiError(400, BAD_REQUEST_BODY, message)


def bad_parameter(message: str) -> ApiError:
    """A 400 for the path id, the query string or a header such as If-Match."""
    return ApiError(400, BAD_REQUEST_PARAMETERS, message)


def not_found(message: str = "no item with this id") -> ApiError:
    return ApiError(404, NOT_FOUND, message)


def too_large(message: str) -> ApiError:
    return ApiError(413, REQUEST_TOO_LARGE, message)
