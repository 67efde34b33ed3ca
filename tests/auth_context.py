"""Realistic callers for tests: authorizer contexts exactly as API Gateway sends them.

- `requestContext.authorizer.claims` of a REST API's Cognito authorizer: every value a
  string, `cognito:groups` comma-joined, exp/iat as dates (localdev.authorizer.rest_api_claims,
  the one definition the local API uses too).
- `requestContext.identity` of an AWS_IAM method: caller, user, userArn, accountId, accessKey.
- TestPool: an RSA key, its JWKS and tokens signed like a Cognito user pool's, for
  tests of the local authorizer without a local AWS.

The environment names (groups, scopes, client ids) are the dev stack's, from the
template code, so a context matches what the deployed function is configured with.
"""

from __future__ import annotations

import contextlib
import http.server
import json
import threading
import time
import uuid
from typing import Any, Iterator, Optional

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

from data_api import authz
from data_api_stack import cognito
from data_api_stack.config import parse_config
from localdev.authorizer import rest_api_claims
from tests.helpers import PROJECT

DEV = parse_config({**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"})
POOL_ID = "us-west-2_TestPool1"
ISSUER = f"https://cognito-idp.us-west-2.amazonaws.com/{POOL_ID}"
BROWSER_CLIENT = "browserclient0000000000001"
MACHINE_CLIENT = "machineclient0000000000001"
FOREIGN_CLIENT = "someoneelsesclient00000001"
GROUPS = cognito.group_names(DEV)
SCOPES = {name: f"{cognito.resource_server_id(DEV)}/{name}" for name in (cognito.READ,
                                                                          cognito.WRITE)}
ACCOUNT = "111122223333"


def function_env() -> dict[str, str]:
    """The AUTH_* variables the dev template gives the function (client ids: ours)."""
    return {authz.ENV_MODE: authz.COGNITO,
            authz.ENV_CLIENT_IDS: f"{BROWSER_CLIENT},{MACHINE_CLIENT}",
            authz.ENV_READER_GROUP: GROUPS[authz.READER],
            authz.ENV_WRITER_GROUP: GROUPS[authz.WRITER],
            authz.ENV_READ_SCOPE: SCOPES[cognito.READ],
            authz.ENV_WRITE_SCOPE: SCOPES[cognito.WRITE],
            authz.ENV_RESOURCE_SERVER: cognito.resource_server_id(DEV),
            authz.ENV_GROUP_PREFIX: DEV.resource_prefix}


def user_payload(username: str, groups: list[str], client_id: str = BROWSER_CLIENT,
                 scope: str = authz.USER_ADMIN_SCOPE, lifetime: int = 3600) -> dict[str, Any]:
    """An access token's payload as Cognito issues it to a signed-in user."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "sub": str(uuid.uuid5(uuid.NAMESPACE_DNS, username)), "iss": ISSUER,
        "client_id": client_id, "origin_jti": str(uuid.uuid4()), "event_id": str(uuid.uuid4()),
        "token_use": "access", "scope": scope, "auth_time": now, "exp": now + lifetime,
        "iat": now, "jti": str(uuid.uuid4()), "username": username}
    if groups:
        payload["cognito:groups"] = groups
    return payload


def machine_payload(scopes: list[str], client_id: str = MACHINE_CLIENT,
                    lifetime: int = 3600) -> dict[str, Any]:
    """A client-credentials access token's payload: no user, sub = client id, scopes."""
    now = int(time.time())
    return {"sub": client_id, "token_use": "access", "scope": " ".join(scopes),
            "auth_time": now, "iss": ISSUER, "exp": now + lifetime, "iat": now,
            "version": 2, "jti": str(uuid.uuid4()), "client_id": client_id}


def release_caller_context() -> str:
    """CALLER_CONTEXT as the cognito template writes it for the release checks' hook,
    with `${Client}` resolved to this module's machine client."""
    from data_api_stack import auth

    parts = auth.build_auth(DEV, lambda path, verb: "")
    text, values = parts.release_caller("role-arn").to_dict()["Fn::Sub"]
    assert set(values) == {"Client"}
    return str(text.replace("${Client}", MACHINE_CLIENT))


def cognito_context(payload: dict[str, Any]) -> dict[str, Any]:
    """The requestContext part API Gateway adds for a verified token."""
    return {"authorizer": {"claims": rest_api_claims(payload)}}


def reader_user() -> dict[str, Any]:
    return cognito_context(user_payload("rita-reader", [GROUPS[authz.READER]]))


def writer_user() -> dict[str, Any]:
    return cognito_context(user_payload("walt-writer", [GROUPS[authz.WRITER]]))


def machine(*names: str) -> dict[str, Any]:
    """A machine caller with our scopes `names` (cognito.READ / cognito.WRITE)."""
    return cognito_context(machine_payload([SCOPES[name] for name in names]))


def iam_caller(user: str = "ci-bot") -> dict[str, Any]:
    """requestContext.identity of a SigV4-signed request to an AWS_IAM method."""
    return {"identity": {
        "cognitoIdentityPoolId": None, "accountId": ACCOUNT, "cognitoIdentityId": None,
        "caller": f"AIDAEXAMPLE{user.upper()}", "sourceIp": "203.0.113.7",
        "principalOrgId": None, "accessKey": "AKIAEXAMPLE", "cognitoAuthenticationType": None,
        "cognitoAuthenticationProvider": None, "userArn": f"arn:aws:iam::{ACCOUNT}:user/{user}",
        "userAgent": "aws-sdk", "user": f"AIDAEXAMPLE{user.upper()}"}}


class TestPool:
    """A key pair and its JWKS, signing tokens the way a user pool does (RS256, kid)."""

    __test__ = False  # not a pytest class

    def __init__(self, issuer: str = ISSUER) -> None:
        self.issuer = issuer
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = str(uuid.uuid4())

    def jwks(self) -> dict[str, Any]:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    @contextlib.contextmanager
    def serve_jwks(self) -> Iterator[str]:
        """Serve the JWKS over loopback HTTP (PyJWT fetches http(s) only); its URL."""
        body = json.dumps(self.jwks()).encode()

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield f"http://127.0.0.1:{server.server_port}/.well-known/jwks.json"
        finally:
            server.shutdown()
            server.server_close()

    def token(self, payload: dict[str, Any], kid: Optional[str] = None) -> str:
        return jwt.encode({**payload, "iss": self.issuer}, self.key, algorithm="RS256",
                          headers={"kid": kid or self.kid})
