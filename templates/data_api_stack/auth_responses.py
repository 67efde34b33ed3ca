"""API Gateway's own answers to unauthenticated and unauthorized requests.

Same CORS headers and JSON error shape as every other error (api.GATEWAY_RESPONSES),
so a browser app can read a 401/403 cross-origin. A bad or expired credential is a
401 (API Gateway's default for EXPIRED_TOKEN and INVALID_SIGNATURE is 403, which
would tell the client to stop instead of to sign in again); a credential that is
good but not allowed is a 403.
"""

from __future__ import annotations

from typing import Optional

# response type -> (logical id, status or None for API Gateway's default)
RESPONSES: dict[str, tuple[str, Optional[str]]] = {
    "UNAUTHORIZED": ("GatewayResponseUnauthorized", None),  # 401: no or invalid token
    "EXPIRED_TOKEN": ("GatewayResponseExpiredToken", "401"),
    "INVALID_SIGNATURE": ("GatewayResponseInvalidSignature", "401"),
}
# ACCESS_DENIED (403, e.g. an IAM policy says no) is DEFAULT_4XX's: same body and headers.
# What each mode can meet (a Cognito token's expiry is an UNAUTHORIZED; the CloudFormation
# body limit leaves no room for responses a mode never sends):
COGNITO = ("UNAUTHORIZED",)
IAM = ("UNAUTHORIZED", "EXPIRED_TOKEN", "INVALID_SIGNATURE")
# RFC 6750 section 3: a 401 for a bearer-token resource names the scheme.
HEADERS: dict[str, dict[str, str]] = {
    "UNAUTHORIZED": {"WWW-Authenticate": "Bearer"},
    "EXPIRED_TOKEN": {"WWW-Authenticate": 'Bearer error="invalid_token"'},
}


def gateway_responses(body: str) -> dict[str, tuple[str, Optional[str], str]]:
    """Entries for api.GATEWAY_RESPONSES: type -> (logical id, status, body)."""
    return {kind: (logical_id, status, body) for kind, (logical_id, status) in RESPONSES.items()}
