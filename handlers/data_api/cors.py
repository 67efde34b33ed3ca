"""CORS headers: one definition shared by the handler and the API Gateway template.

The template imports these constants for the OPTIONS preflight and the gateway
responses, so a browser sees the same headers whoever answers.
"""

from __future__ import annotations

ALLOW_HEADERS = ("Content-Type", "Authorization", "If-Match", "Idempotency-Key", "X-Amz-Date",
                 "X-Amz-Security-Token", "X-Api-Key")
EXPOSE_HEADERS = ("ETag", "Location", "Retry-After", "Idempotent-Replayed")
MAX_AGE_SECONDS = 600


def response_headers(origin: str) -> dict[str, str]:
    """Headers every response carries for the configured origin ('*' or one origin)."""
    headers = {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Expose-Headers": ",".join(EXPOSE_HEADERS),
    }
    if origin != "*":
        # A cache must not serve one origin's response to another.
        headers["Vary"] = "Origin"
    return headers


def preflight_headers(origin: str, methods: tuple[str, ...]) -> dict[str, str]:
    """Headers of a 204 answer to an OPTIONS preflight on a path allowing `methods`."""
    return {
        **response_headers(origin),
        "Access-Control-Allow-Methods": ",".join(methods),
        "Access-Control-Allow-Headers": ",".join(ALLOW_HEADERS),
        "Access-Control-Max-Age": str(MAX_AGE_SECONDS),
    }
