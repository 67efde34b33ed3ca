"""Access control on, as deployed, for every runtime row.

- for_method(): the requestContext part API Gateway adds for an authorized caller
  of a method (a Cognito user in the environment's readers or writers group).
- token_pool(): the dev template's Cognito authorizer for the local API, pointed at a
  key pair of ours, with a reader's signed access token to send.

Built on tests/auth_context.py, the one definition of these callers (and of the
function's AUTH_* variables, `auth_context.function_env()`) the tests use.
"""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from data_api import authz, routes
from data_api_stack import ids
from localdev.authorizer import CognitoAuthorizer
from tests import auth_context


def for_method(method: str) -> dict[str, Any]:
    """The least caller that may call `method`: a writer for writes, else a reader."""
    return auth_context.writer_user() if method in routes.WRITE_METHODS \
        else auth_context.reader_user()


@contextlib.contextmanager
def token_pool() -> Iterator[tuple[dict[str, CognitoAuthorizer], str]]:
    """(the local API's authorizers, a reader's bearer token) while its JWKS is served."""
    pool = auth_context.TestPool()
    with pool.serve_jwks() as jwks_url:
        authorizers = {ids.AUTHORIZER: CognitoAuthorizer(auth_context.ISSUER, jwks_url)}
        token = pool.token(auth_context.user_payload(
            "bench-reader", [auth_context.GROUPS[authz.READER]], lifetime=24 * 3600))
        yield authorizers, token
