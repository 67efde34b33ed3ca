"""Access control of the data methods, per `auth` mode (README "Access control").

- cognito: a COGNITO_USER_POOLS authorizer on every data method, with scopes, so
  only access tokens are accepted; the handler then tells readers from writers.
- iam: AWS_IAM on every data method; reader/writer managed policies.
- none: no authorization (only with `allow_anonymous: true`).
OPTIONS (CORS preflight) is never authorized in any mode: browsers send it without
credentials, so an authorized preflight breaks every cross-origin call.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Optional

from troposphere import AWSObject, Output, Ref, Sub, apigateway

from data_api import authz
from data_api_stack import auth_responses, cognito, iam_auth, ids
from data_api_stack.collection import Collection
from data_api_stack.config import StackConfig
from data_api_stack.outputs import exported_output

# The Cognito authorizer caches its verdict per token (the Authorization header) for
# this long. Scopes are still checked per method on every request, so a token cached
# as valid on GET cannot pass a method whose scopes it lacks. 300 s (API Gateway's
# default) spares re-validating a token on every call; a revoked token keeps working
# at most this long, and at most until its own expiry anyway.
AUTHORIZER_TTL_SECONDS = 300
TOKEN_HEADER = "Authorization"


@dataclass
class AuthParts:
    # collection -> what is merged into each of its data methods (not OPTIONS)
    method_properties: Callable[[Collection], dict[str, Any]]
    function_env: dict[str, Any]
    definition: list[AWSObject] = field(default_factory=list)  # in the Deployment snapshot
    resources: list[AWSObject] = field(default_factory=list)
    outputs: list[Output] = field(default_factory=list)
    rest_api_policy: Optional[Any] = None
    gateway_responses: tuple[str, ...] = ()  # auth_responses types this mode can meet
    # role ARN -> the JSON requestContext part a trusted writer's request carries, for
    # callers that invoke the function directly (the release checks): what the gateway
    # would add for this mode. Direct invocation needs lambda:InvokeFunction, no token.
    release_caller: Callable[[Any], Any] = lambda role_arn: "{}"


def method_scopes(cfg: StackConfig, parts: cognito.CognitoParts,
                  collection: Collection) -> list[str]:
    """A token needs one of these on a collection's methods: our read or write scope
    (hosted sign-in, client credentials), the collection's own read or write scope, or
    the scope of tokens from Cognito's sign-in APIs (SRP, SDKs; their rights are the
    user's groups). So a machine token with no right on the collection never reaches the
    function (API Gateway answers a missing scope with 401). The same list on a
    collection's every method: a reader's write must be a 403, not a 401, so read vs
    write is decided in the handler, as are groups and each collection's `access`."""
    return [parts.scopes[cognito.READ], parts.scopes[cognito.WRITE],
            *cognito.collection_scopes(cfg, collection), authz.USER_ADMIN_SCOPE]


def _cognito(cfg: StackConfig) -> AuthParts:
    parts = cognito.build_cognito(cfg)
    authorizer = apigateway.Authorizer(
        ids.AUTHORIZER, RestApiId=Ref(ids.REST_API), Name=f"{cfg.resource_prefix}-users",
        Type="COGNITO_USER_POOLS", ProviderARNs=[parts.pool_arn],
        IdentitySource=f"method.request.header.{TOKEN_HEADER}",
        AuthorizerResultTtlInSeconds=AUTHORIZER_TTL_SECONDS)
    outputs = [exported_output(cfg, logical_id, description, value) for logical_id, description,
               value in (
        (ids.OUTPUT_USER_POOL_ID, "User pool", parts.pool_id),
        (ids.OUTPUT_ISSUER, "Token issuer", parts.issuer),
        (ids.OUTPUT_BROWSER_CLIENT_ID, "Browser client (code+PKCE)", Ref(parts.browser_client)),
        (ids.OUTPUT_MACHINE_CLIENT_ID, "Machine client (client credentials)",
         Ref(parts.machine_client)),
        (ids.OUTPUT_READERS_GROUP, "Readers group", parts.groups[authz.READER]),
        (ids.OUTPUT_WRITERS_GROUP, "Writers group", parts.groups[authz.WRITER]),
    )]
    outputs += [exported_output(cfg, f"{client.title}Id", f"Machine client of "
                                f"{client.ClientName} (client credentials)", Ref(client))
                for client in parts.service_clients]
    if parts.token_endpoint is not None:
        outputs.append(exported_output(cfg, ids.OUTPUT_TOKEN_ENDPOINT, "Token endpoint",
                                       parts.token_endpoint))
    # The release checks write every collection, whatever its `access` says.
    writes = [parts.scopes[cognito.WRITE], *(cognito.collection_scopes(cfg, c)[1]
                                             for c in cfg.collections
                                             if c.access.writers != cognito.WRITE)]
    claims = {"sub": "release-check", "client_id": "${Client}", "token_use": "access",
              "scope": " ".join(writes)}
    release = json.dumps({"authorizer": {"claims": claims}}, separators=(",", ":"))
    return AuthParts(
        release_caller=lambda role_arn: Sub(release, Client=Ref(parts.machine_client)),
        method_properties=lambda collection: {
            "AuthorizationType": "COGNITO_USER_POOLS", "AuthorizerId": Ref(authorizer),
            "AuthorizationScopes": method_scopes(cfg, parts, collection)},
        function_env=cognito.function_env(parts), definition=[authorizer],
        gateway_responses=auth_responses.COGNITO,
        resources=parts.resources, outputs=outputs)


def _iam(cfg: StackConfig, method_arn: Callable[[str, str], Any]) -> AuthParts:
    policies = iam_auth.build_policies(cfg, method_arn)
    release = json.dumps({"identity": {"userArn": "${Role}", "accountId": "${AWS::AccountId}",
                                       "caller": "release-check", "sourceIp": "127.0.0.1"}},
                         separators=(",", ":"))
    return AuthParts(
        release_caller=lambda role_arn: Sub(release, Role=role_arn),
        method_properties=lambda collection: {"AuthorizationType": "AWS_IAM"},
        function_env=iam_auth.function_env(), resources=list(policies),
        gateway_responses=auth_responses.IAM,
        outputs=[exported_output(cfg, f"{policy.title}Arn", policy.Description, Ref(policy))
                 for policy in policies],
        rest_api_policy=iam_auth.resource_policy(cfg))


def build_auth(cfg: StackConfig, method_arn: Callable[[str, str], Any]) -> AuthParts:
    """`method_arn(path, verb)`: the execute-api ARN of one method on this stage."""
    if cfg.auth == authz.COGNITO:
        return _cognito(cfg)
    if cfg.auth == authz.IAM:
        return _iam(cfg, method_arn)
    return AuthParts(method_properties=lambda collection: {"AuthorizationType": "NONE"},
                     function_env={authz.ENV_MODE: authz.NONE})
