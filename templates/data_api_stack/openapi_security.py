"""The OpenAPI security of one environment (HELPERS decision #4), from its StackConfig.

- cognito: the Authorization header carries an access token from the environment's pool
  (what API Gateway's COGNITO_USER_POOLS authorizer reads), declared as an apiKey-style
  header scheme; when the deployed stack's token endpoint is known, also OAuth 2.0
  client-credentials and authorization-code flows with the resource server's scopes.
  Reads take the read or the write scope, writes the write scope (a user's group grants
  the same, judged by the handler).
- iam: SigV4-signed requests (`x-amazon-apigateway-authtype: awsSigv4`, API Gateway's
  own OpenAPI extension).
- none: nothing.
OPTIONS, the CORS preflight, is never authorized and is not in the document.
"""

from __future__ import annotations

from typing import Any, Optional

from data_api import routes
from data_api_stack import cognito
from data_api_stack.config import StackConfig

TOKEN, OAUTH, SIGV4 = "CognitoAccessToken", "CognitoOAuth2", "SigV4"


def _scopes(cfg: StackConfig) -> dict[str, str]:
    server = cognito.resource_server_id(cfg)
    return {f"{server}/{cognito.READ}": "read items",
            f"{server}/{cognito.WRITE}": "read and write items"}


def schemes(cfg: StackConfig, token_endpoint: Optional[str] = None) -> dict[str, Any]:
    """components.securitySchemes for the environment's auth."""
    if cfg.auth == "iam":
        return {SIGV4: {"type": "apiKey", "in": "header", "name": "Authorization",
                        "description": "AWS Signature Version 4 (execute-api)",
                        "x-amazon-apigateway-authtype": "awsSigv4"}}
    if cfg.auth != "cognito":
        return {}
    found: dict[str, Any] = {TOKEN: {
        "type": "apiKey", "in": "header", "name": "Authorization",
        "description": f"An access token of the {cfg.environment} user pool, as "
                       "`Bearer <token>` (`make token` prints one locally)"}}
    if token_endpoint:
        flows = {"tokenUrl": token_endpoint, "scopes": _scopes(cfg)}
        found[OAUTH] = {"type": "oauth2", "flows": {
            "clientCredentials": flows,
            "authorizationCode": {**flows, "authorizationUrl":
                                  token_endpoint.rsplit("/", 1)[0] + "/authorize"}}}
    return found


def requirement(cfg: StackConfig, method: str,
                token_endpoint: Optional[str] = None) -> Optional[list[dict[str, list[str]]]]:
    """An operation's `security` (any one entry suffices), or None to declare none."""
    if cfg.auth == "iam":
        return [{SIGV4: []}]
    if cfg.auth != "cognito":
        return None
    read, write = _scopes(cfg)
    needed = [write] if method in routes.WRITE_METHODS else [read, write]
    found: list[dict[str, list[str]]] = [{TOKEN: []}]
    return found + ([{OAUTH: [scope]} for scope in needed] if token_endpoint else [])
