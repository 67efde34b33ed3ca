"""Who is calling, and may they call this method? (README "Access control")

API Gateway has already authenticated the caller before the handler runs: a valid
access token of our user pool carrying one of the method's scopes (cognito), or a
SigV4 signature whose IAM policy allows this method's ARN (iam). What the gateway
cannot check is a user's Cognito group, so a reader's write is refused here with
403 ACCESS_DENIED, as is a token of an app client that is not one of this stack's.

The template passes the facts this module needs (client ids, group names, scopes)
as environment variables named below: one source of truth, the template.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any, Optional

from data_api import errors, routes
from data_api.errors import ApiError

ENV_MODE = "AUTH_MODE"
ENV_CLIENT_IDS = "AUTH_CLIENT_IDS"  # comma-separated app client ids of this stack
ENV_READER_GROUP = "AUTH_READER_GROUP"
ENV_WRITER_GROUP = "AUTH_WRITER_GROUP"
ENV_READ_SCOPE = "AUTH_READ_SCOPE"
ENV_WRITE_SCOPE = "AUTH_WRITE_SCOPE"
COGNITO, IAM, NONE = "cognito", "iam", "none"
# The scope of every access token a user gets from Cognito's own sign-in APIs.
USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin"
READER, WRITER = "reader", "writer"


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: what we log, and the role we found (None: no role)."""

    identity: dict[str, str]
    role: Optional[str]
    reason: str = ""


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def claim_list(value: Any) -> list[str]:
    """A list claim as it reaches us: "a,b" from a REST API's Cognito authorizer,
    "[a b]" from an HTTP API's JWT authorizer, a real list when invoked directly."""
    if isinstance(value, list):
        return [str(v) for v in value]
    if not isinstance(value, str):
        return []
    return [part for part in re.split(r"[,\s]+", value.strip().strip("[]")) if part]


def _cognito(claims: dict) -> Caller:
    env = os.environ
    identity = {k: str(claims[c]) for k, c in (("sub", "sub"), ("username", "username"),
                                                ("clientId", "client_id")) if c in claims}
    if claims.get("token_use") != "access":
        return Caller(identity, None, "an access token is required")
    if str(claims.get("client_id")) not in claim_list(env.get(ENV_CLIENT_IDS, "")):
        return Caller(identity, None, "this token's app client may not call this API")
    if "username" in claims:  # a user: the role is the user's group in this environment
        groups = claim_list(claims.get("cognito:groups"))
        role = (WRITER if env.get(ENV_WRITER_GROUP) in groups
                else READER if env.get(ENV_READER_GROUP) in groups else None)
        return Caller(identity, role, "" if role else "the user is in neither the readers "
                      "nor the writers group of this environment")
    scopes = claim_list(claims.get("scope"))  # a machine (client credentials): its scopes
    role = (WRITER if env.get(ENV_WRITE_SCOPE) in scopes
            else READER if env.get(ENV_READ_SCOPE) in scopes else None)
    return Caller(identity, role, "" if role else "the token has neither the read nor the "
                  "write scope of this API")


def _iam(identity: dict, method: str) -> Caller:
    # The gateway evaluated the caller's IAM policies against this very method's ARN.
    seen = {k: str(identity[k]) for k in ("userArn", "accountId", "caller") if identity.get(k)}
    if "userArn" not in seen:
        return Caller(seen, None, "no IAM caller in the request")
    return Caller(seen, WRITER if method in routes.WRITE_METHODS else READER)


def identify(event: dict, method: str) -> Caller:
    """The caller of this event; never raises (garbage in gives a caller with no role)."""
    context = _mapping(event.get("requestContext"))
    mode = os.environ.get(ENV_MODE, "")
    if mode == NONE:
        return Caller({"principal": "anonymous"}, WRITER)
    if mode == IAM:
        return _iam(_mapping(context.get("identity")), method)
    if mode == COGNITO:
        return _cognito(_mapping(_mapping(context.get("authorizer")).get("claims")))
    return Caller({}, None, "access control is not configured (AUTH_MODE)")  # fail closed


def require(caller: Caller, method: str) -> None:
    """Raise 403 ACCESS_DENIED unless the caller's role allows `method`."""
    if caller.role is None:
        raise ApiError(403, errors.ACCESS_DENIED, caller.reason)
    if method in routes.WRITE_METHODS and caller.role != WRITER:
        raise ApiError(403, errors.ACCESS_DENIED, f"{method} needs the writer role; "
                       f"this caller is a {caller.role}")
