"""Who is calling, and may they call this method on this collection? (README "Access
control")

API Gateway has already authenticated the caller before the handler runs: a valid
access token of our user pool carrying one of the method's scopes (cognito), or a
SigV4 signature whose IAM policy allows this method's ARN (iam: the gateway decides
everything). What the gateway cannot check is a user's Cognito groups, nor tell a
reader's write (a 401 there) from a writer's, so here a caller's rights on the
collection are worked out and a missing one is a 403 ACCESS_DENIED, as is a token of
an app client that is not one of this stack's:
- the API-wide roles (a `read`/`write` scope, the readers/writers group), limited by
  the collection's `access` (data_api.collection_env.Access);
- the collection's own (`<collection>.read`/`.write` scopes, `<prefix>-<collection>.
  readers`/`.writers` groups: collection_scope, collection_group).

The template passes the facts this module needs (client ids, group names, scopes)
as environment variables named below: one source of truth, the template.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from typing import Any, Callable, Optional

from data_api import errors, routes
from data_api.collection_env import LEVELS, READ, WRITE, Settings
from data_api.collection_env import NONE as NO_RIGHT
from data_api.errors import ApiError

ENV_MODE = "AUTH_MODE"
ENV_CLIENT_IDS = "AUTH_CLIENT_IDS"  # comma-separated app client ids of this stack
ENV_READER_GROUP = "AUTH_READER_GROUP"
ENV_WRITER_GROUP = "AUTH_WRITER_GROUP"
ENV_READ_SCOPE = "AUTH_READ_SCOPE"
ENV_WRITE_SCOPE = "AUTH_WRITE_SCOPE"
ENV_RESOURCE_SERVER = "AUTH_RESOURCE_SERVER"  # the scopes' prefix: <id>/<collection>.read
ENV_GROUP_PREFIX = "AUTH_GROUP_PREFIX"  # the groups': <prefix>-<collection>.readers
COGNITO, IAM, NONE = "cognito", "iam", "none"
# The scope of every access token a user gets from Cognito's own sign-in APIs.
USER_ADMIN_SCOPE = "aws.cognito.signin.user.admin"
READER, WRITER = "reader", "writer"


def collection_scope(resource_server: str, collection: str, level: str) -> str:
    """A machine's right on one collection: `<resource server>/<collection>.read`."""
    return f"{resource_server}/{collection}.{level}"


def collection_group(prefix: str, collection: str, level: str) -> str:
    """A person's right on one collection: `<prefix>-<collection>.readers`. The `.`:
    no environment's name has one, so no collection's group is another environment's
    API-wide group (`<prefix>-<environment>-readers`) in a shared pool."""
    return f"{prefix}-{collection}.{READER if level == READ else WRITER}s"


# arn:aws:sts::<account>:assumed-role/<role>/<session>: the role, not the session.
_ASSUMED_ROLE_SESSION = re.compile(r"^(arn:[^:]+:sts::\d+:assumed-role/[^/]+)/.*$")


@dataclass(frozen=True)
class Caller:
    """The authenticated caller: what we log, why it may do nothing at all (`reason`,
    e.g. another stack's app client), the API-wide roles it holds, and the collection
    rights it holds (`held`: its groups or scopes, read through `named`: collection,
    level -> the group or scope that grants it)."""

    identity: dict[str, str]
    reason: str = ""
    held: frozenset[str] = frozenset()
    roles: frozenset[str] = frozenset()  # the API-wide roles held (READER, WRITER)
    named: Optional[Callable[[str, str], str]] = None
    gateway_decided: bool = False  # iam, none: the gateway allowed exactly this method

    @property
    def principal(self) -> str:
        """Who calls, stably across requests: a user's sub, an IAM caller's ARN (an assumed
        role's without its session name, which changes with every new session), a
        machine's app client id; `principal:anonymous` without access control."""
        for name in ("sub", "userArn", "clientId", "principal"):
            if name in self.identity:
                return name + ":" + _ASSUMED_ROLE_SESSION.sub(r"\1", self.identity[name])
        return ""


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


def _roles(held: list[str], reader: str, writer: str) -> frozenset[str]:
    """The API-wide roles whose group or scope (named by env variables) is held."""
    return frozenset(role for role, variable in ((READER, reader), (WRITER, writer))
                     if os.environ.get(variable) in held)


def _cognito(claims: dict) -> Caller:
    env = os.environ
    identity = {k: str(claims[c]) for k, c in (("sub", "sub"), ("username", "username"),
                                                ("clientId", "client_id")) if c in claims}
    if claims.get("token_use") != "access":
        return Caller(identity, "an access token is required")
    if str(claims.get("client_id")) not in claim_list(env.get(ENV_CLIENT_IDS, "")):
        return Caller(identity, "this token's app client may not call this API")
    if "username" in claims:  # a user: the role is the user's group in this environment
        groups = claim_list(claims.get("cognito:groups"))
        roles = _roles(groups, ENV_READER_GROUP, ENV_WRITER_GROUP)
        prefix = env.get(ENV_GROUP_PREFIX)
        return Caller(identity, held=frozenset(groups), roles=roles,
                      named=functools.partial(collection_group, prefix) if prefix else None)
    scopes = claim_list(claims.get("scope"))  # a machine (client credentials): its scopes
    roles = _roles(scopes, ENV_READ_SCOPE, ENV_WRITE_SCOPE)
    server = env.get(ENV_RESOURCE_SERVER)
    return Caller(identity, held=frozenset(scopes), roles=roles,
                  named=functools.partial(collection_scope, server) if server else None)


def _iam(identity: dict) -> Caller:
    # The gateway evaluated the caller's IAM policies against this very method's ARN.
    seen = {k: str(identity[k]) for k in ("userArn", "accountId", "caller") if identity.get(k)}
    if "userArn" not in seen:
        return Caller(seen, "no IAM caller in the request")
    return Caller(seen, gateway_decided=True)


def identify(event: dict) -> Caller:
    """The caller of this event; never raises (garbage in gives a caller with no role)."""
    context = _mapping(event.get("requestContext"))
    mode = os.environ.get(ENV_MODE, "")
    if mode == NONE:
        return Caller({"principal": "anonymous"}, gateway_decided=True)
    if mode == IAM:
        return _iam(_mapping(context.get("identity")))
    if mode == COGNITO:
        return _cognito(_mapping(_mapping(context.get("authorizer")).get("claims")))
    return Caller({}, "access control is not configured (AUTH_MODE)")  # fail closed


def level(caller: Caller, collection: Settings) -> str:
    """The most `caller` may do on `collection`: NO_RIGHT, READ or WRITE."""
    if caller.gateway_decided:
        return WRITE
    # Rights add up: a reader and writer on a collection whose `access` leaves readers
    # more than writers keeps the readers' right.
    granted = [NO_RIGHT]
    if WRITER in caller.roles:
        granted.append(collection.access.writers)
    if READER in caller.roles:
        granted.append(collection.access.readers)
    if caller.named and collection.name:
        granted += [lv for lv in (READ, WRITE)
                    if caller.named(collection.name, lv) in caller.held]
    return max(granted, key=LEVELS.index)


def require(caller: Caller, method: str, collection: Settings) -> None:
    """Raise 403 ACCESS_DENIED unless the caller may call `method` on `collection`,
    before anything about the collection or its items is read: the answer says no more
    than API Gateway's own 403 would."""
    needed = WRITE if method in routes.WRITE_METHODS else READ
    held = level(caller, collection)
    if LEVELS.index(held) >= LEVELS.index(needed):
        return
    if held == NO_RIGHT:
        raise ApiError(403, errors.ACCESS_DENIED,
                       caller.reason or "this caller has no right on this collection")
    raise ApiError(403, errors.ACCESS_DENIED, "this caller may read this collection but "
                   "not write it")
