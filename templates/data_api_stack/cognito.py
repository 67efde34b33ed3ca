"""`auth: cognito`: the user pool side (pool, domain, resource server, groups, clients).

With `cognito_user_pool_arn` the stack uses that pool (shared pools are common) and
creates only what is this environment's inside it: the resource server, the groups
and the app clients. Scopes, group names and client ids reach the handler as
environment variables (data_api.authz) from here, the one place they are defined.

Rights: the API-wide `read`/`write` scopes and readers/writers groups, and each
collection's own: scopes `<collection>.read`/`.write` on the same resource server and
groups `<prefix>-<collection>.readers`/`.writers` (data_api.authz names both). The
stack's machine client may ask only for the API-wide scopes (a client-credentials
request without `scope` gets every scope its client allows); a collection's scopes go
to the app clients of `machine_clients`, each allowed only its own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from troposphere import AWSObject, GetAtt, Join, Ref, Sub, cognito

from data_api import authz
from data_api.collection_env import READ, WRITE  # the scopes' names: <id>/read, <id>/write
from data_api_stack import ids
from data_api_stack.collection import Collection
from data_api_stack.config import USER_POOL_ARN_PATTERN, StackConfig


@dataclass
class CognitoParts:
    pool_id: Any
    pool_arn: Any
    issuer: Any
    token_endpoint: Any  # None with an existing pool: use that pool's own domain
    scopes: dict[str, str]  # READ/WRITE -> "<resource server id>/<scope>"
    groups: dict[str, str]  # authz.READER/WRITER -> group name
    server_id: str
    group_prefix: str
    browser_client: cognito.UserPoolClient
    machine_client: cognito.UserPoolClient
    service_clients: list[cognito.UserPoolClient]  # machine_clients: one per service
    resources: list[AWSObject] = field(default_factory=list)


def resource_server_id(cfg: StackConfig) -> str:
    return cfg.resource_prefix


def group_names(cfg: StackConfig) -> dict[str, str]:
    return {authz.READER: f"{cfg.resource_prefix}-readers", authz.WRITER: f"{cfg.resource_prefix}-writers"}


def collection_scopes(cfg: StackConfig, collection: Collection) -> list[str]:
    """A collection's read and write scopes, as a token carries them."""
    return [authz.collection_scope(resource_server_id(cfg), collection.name, level)
            for level in (READ, WRITE)]


def _collection_rights(cfg: StackConfig, pool_id: Any) -> list[AWSObject]:
    """Each collection's groups (people); its scopes are on the resource server."""
    return [cognito.UserPoolGroup(
        f"{collection.camel}{role.capitalize()}sGroup", UserPoolId=pool_id,
        GroupName=authz.collection_group(cfg.resource_prefix, collection.name, level),
        Description=f"May {'read and write' if level == WRITE else 'read'} the "
                    f"{collection.name} collection ({cfg.environment})",
        Precedence=precedence)
        for collection in cfg.collections
        for role, level, precedence in ((authz.READER, READ, 40), (authz.WRITER, WRITE, 30))]


def _pool(cfg: StackConfig) -> cognito.UserPool:
    pool = cognito.UserPool(
        ids.USER_POOL,
        UserPoolName=f"{cfg.resource_prefix}-users",
        # No self sign-up: an administrator creates each user (README "Access control").
        AdminCreateUserConfig=cognito.AdminCreateUserConfig(AllowAdminCreateUserOnly=True),
        UsernameConfiguration=cognito.UsernameConfiguration(CaseSensitive=False),
        Policies=cognito.Policies(PasswordPolicy=cognito.PasswordPolicy(
            MinimumLength=14, RequireLowercase=True, RequireUppercase=True,
            RequireNumbers=True, RequireSymbols=True, TemporaryPasswordValidityDays=3)),
        # `mfa` (config.StackConfig.mfa_required): ON where retain_data keeps the users.
        # ON: every user must set up an authenticator app (TOTP) and use it to sign in;
        # a user without one is asked to set it up at the next sign-in (MFA_SETUP).
        # Changing it updates the pool in place (CloudFormation template reference,
        # AWS::Cognito::UserPool MfaConfiguration: "Update requires: No interruption";
        # the resource's update handler calls cognito-idp:SetUserPoolMfaConfig).
        MfaConfiguration="ON" if cfg.mfa_required else "OPTIONAL",
        EnabledMfas=["SOFTWARE_TOKEN_MFA"],
        AccountRecoverySetting=cognito.AccountRecoverySetting(RecoveryMechanisms=[
            cognito.RecoveryOption(Name="admin_only", Priority=1)]),
        DeletionProtection="ACTIVE" if cfg.retain_data else "INACTIVE",
    )
    # With retain_data the users outlive the stack, like the data.
    pool.DeletionPolicy = pool.UpdateReplacePolicy = "Retain" if cfg.retain_data else "Delete"
    return pool


def _client(logical_id: str, name: str, pool_id: Any, **props: Any) -> cognito.UserPoolClient:
    return cognito.UserPoolClient(
        logical_id, ClientName=name, UserPoolId=pool_id, AllowedOAuthFlowsUserPoolClient=True,
        SupportedIdentityProviders=["COGNITO"], PreventUserExistenceErrors="ENABLED",
        # Token lifetimes and revocation: Cognito's defaults (access/ID 60 min, refresh
        # 30 days, revocation on); left out for CloudFormation's 51,200-byte body limit.
        DependsOn=[ids.RESOURCE_SERVER], **props)


def callback_urls(cfg: StackConfig) -> list[str]:
    """Where the hosted sign-in returns the browser: the app's origin, else localhost."""
    return [f"{cfg.cors_origin}/"] if cfg.cors_origin != "*" else ["http://localhost:3000/"]


def build_cognito(cfg: StackConfig) -> CognitoParts:
    resources: list[AWSObject] = []
    match = USER_POOL_ARN_PATTERN.match(cfg.cognito_user_pool_arn or "")
    if match:
        pool_id, pool_arn = match.group(2), cfg.cognito_user_pool_arn
        issuer, token_endpoint = f"https://cognito-idp.{match.group(1)}.amazonaws.com/{pool_id}", None
    else:
        pool = _pool(cfg)
        # The hosted sign-in and the token endpoint live on the pool's domain.
        domain = cognito.UserPoolDomain(ids.USER_POOL_DOMAIN, UserPoolId=Ref(pool),
                                        Domain=Sub(f"{cfg.resource_prefix}-${{AWS::AccountId}}"))
        resources += [pool, domain]
        pool_id, pool_arn = Ref(pool), GetAtt(pool, "Arn")
        issuer = Sub("https://cognito-idp.${AWS::Region}.amazonaws.com/${Pool}", Pool=pool_id)
        token_endpoint = Sub("https://${Domain}.auth.${AWS::Region}.amazoncognito.com"
                             "/oauth2/token", Domain=Ref(domain))
    server_id = resource_server_id(cfg)
    scopes = {READ: f"{server_id}/{READ}", WRITE: f"{server_id}/{WRITE}"}
    own = [scope for c in cfg.collections for scope in collection_scopes(cfg, c)]
    resources.append(cognito.UserPoolResourceServer(
        ids.RESOURCE_SERVER, UserPoolId=pool_id, Identifier=server_id,
        Name=server_id,
        Scopes=[cognito.ResourceServerScopeType(ScopeName=name, ScopeDescription=name)
                for name in (READ, WRITE)] + [
            cognito.ResourceServerScopeType(ScopeName=name, ScopeDescription=name)
            for name in (scope.split("/", 1)[1] for scope in own)]))
    groups = group_names(cfg)
    for logical_id, role, precedence in ((ids.READERS_GROUP, authz.READER, 20),
                                         (ids.WRITERS_GROUP, authz.WRITER, 10)):
        resources.append(cognito.UserPoolGroup(
            logical_id, UserPoolId=pool_id, GroupName=groups[role], Precedence=precedence))
    resources += _collection_rights(cfg, pool_id)
    urls = callback_urls(cfg)
    browser = _client(  # public: a browser cannot keep a secret, so code flow + PKCE
        ids.BROWSER_CLIENT, f"{cfg.resource_prefix}-browser", pool_id, GenerateSecret=False,
        AllowedOAuthFlows=["code"], AllowedOAuthScopes=["openid", *scopes.values()],
        CallbackURLs=urls,
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    machine = _client(  # confidential: client credentials, scopes only
        ids.MACHINE_CLIENT, f"{cfg.resource_prefix}-machine", pool_id, GenerateSecret=True,
        AllowedOAuthFlows=["client_credentials"], AllowedOAuthScopes=list(scopes.values()),
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"])
    services = [_client(  # confidential, each only its own rights' scopes
        client.logical_id, f"{cfg.resource_prefix}-{client.name.replace('_', '-')}", pool_id,
        GenerateSecret=True, AllowedOAuthFlows=["client_credentials"],
        AllowedOAuthScopes=[authz.collection_scope(server_id, collection, level)
                            for collection, level in client.rights],
        ExplicitAuthFlows=["ALLOW_REFRESH_TOKEN_AUTH"]) for client in cfg.machine_clients]
    resources += [browser, machine, *services]
    return CognitoParts(pool_id, pool_arn, issuer, token_endpoint, scopes, groups, server_id,
                        cfg.resource_prefix, browser, machine, services, resources)


def function_env(parts: CognitoParts) -> dict[str, Any]:
    return {
        authz.ENV_MODE: authz.COGNITO,
        authz.ENV_CLIENT_IDS: Join(",", [Ref(parts.browser_client), Ref(parts.machine_client),
                                         *map(Ref, parts.service_clients)]),
        authz.ENV_READER_GROUP: parts.groups[authz.READER],
        authz.ENV_WRITER_GROUP: parts.groups[authz.WRITER],
        authz.ENV_READ_SCOPE: parts.scopes[READ],
        authz.ENV_WRITE_SCOPE: parts.scopes[WRITE],
        authz.ENV_RESOURCE_SERVER: parts.server_id,
        authz.ENV_GROUP_PREFIX: parts.group_prefix,
    }
