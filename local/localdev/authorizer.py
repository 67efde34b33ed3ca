"""The Cognito user pool authorizer of the launched template, as API Gateway runs it.

For a method with `AuthorizationType: COGNITO_USER_POOLS`: the token (raw, or after
"Bearer ") in the authorizer's identity-source header must be a JWT signed with a
key of the pool's JWKS (RS256), issued by that pool (`iss`), unexpired; with
`AuthorizationScopes` it must be an access token whose `scope` holds one of them,
without scopes an ID token. Anything else is the UNAUTHORIZED gateway response.
The claims reach the integration as `requestContext.authorizer.claims`, every value
a string (rest_api_claims). No result cache locally: API Gateway's cache is keyed
by the token and scopes are checked per method anyway, so it changes no verdict.

moto signs every pool's tokens with one key, so locally the signature alone cannot
tell pools apart; the issuer check is what refuses a foreign pool's token (in AWS,
both refuse it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Optional

import jwt

UNAUTHORIZED = "UNAUTHORIZED"
# ARN of a user pool: region and pool id.
POOL_ARN = re.compile(r"^arn:[a-z-]+:cognito-idp:([a-z0-9-]+):[0-9]{12}:userpool/(.+)$")
# How API Gateway writes a token's exp and iat in the claims it passes on, e.g.
# "Tue Apr 04 18:39:39 UTC 2023" (AWS re:Post "AWS Cognito Group", claims sample).
CLAIM_TIME_FORMAT = "%a %b %d %H:%M:%S UTC %Y"


class Unauthorized(Exception):
    """The request fails authorization: answer with this gateway response type."""

    def __init__(self, message: str = "Unauthorized", response_type: str = UNAUTHORIZED):
        super().__init__(message)
        self.message = message
        self.response_type = response_type


def rest_api_claims(payload: dict[str, Any]) -> dict[str, str]:
    """A verified token's claims as a REST API's Cognito authorizer passes them on:
    every value a string, a list joined with commas (`cognito:groups`: "a,b"), exp and
    iat as dates, other numbers as digits (auth_time: "1680629979")."""
    claims = {}
    for name, value in payload.items():
        if name in ("exp", "iat") and isinstance(value, (int, float)):
            value = _claim_time(value)
        elif isinstance(value, list):
            value = ",".join(map(str, value))
        elif isinstance(value, bool):
            value = str(value).lower()
        claims[name] = str(value)
    return claims


def _claim_time(value: float) -> str:
    """A time claim as a date; one no date can hold (e.g. 10**20) stays as digits."""
    try:
        return datetime.fromtimestamp(value, timezone.utc).strftime(CLAIM_TIME_FORMAT)
    except (OverflowError, ValueError, OSError):
        return str(value)


def issuer_of(pool_arn: str) -> str:
    match = POOL_ARN.match(pool_arn)
    if not match:
        raise ValueError(f"not a user pool ARN: {pool_arn!r}")
    return f"https://cognito-idp.{match.group(1)}.amazonaws.com/{match.group(2)}"


@dataclass
class CognitoAuthorizer:
    """One COGNITO_USER_POOLS authorizer; `jwks_url` serves the pool's public keys."""

    issuer: str
    jwks_url: str
    header: str = "Authorization"

    def __post_init__(self) -> None:
        self._keys = jwt.PyJWKClient(self.jwks_url, cache_keys=True)

    def claims(self, headers: Any, scopes: Optional[list[str]]) -> dict[str, str]:
        """The claims to pass on, or raise Unauthorized."""
        value = (headers.get(self.header) or "").strip()
        token = value[7:].strip() if value[:7].lower() == "bearer " else value
        if not token:
            raise Unauthorized()
        try:
            key = self._keys.get_signing_key_from_jwt(token)
            payload = jwt.decode(token, key.key, algorithms=["RS256"], issuer=self.issuer,
                                 options={"require": ["exp", "iss", "token_use"],
                                          "verify_aud": False})
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The incoming token has expired") from None
        except (jwt.PyJWTError, OverflowError, ValueError):  # bad signature, issuer,
            raise Unauthorized() from None  # format, unknown key, an exp of Infinity...
        if scopes:
            granted = set(str(payload.get("scope", "")).split())
            if payload.get("token_use") != "access" or not granted & set(scopes):
                raise Unauthorized()
        elif payload.get("token_use") != "id":
            raise Unauthorized()
        return rest_api_claims(payload)


def build_authorizers(template: dict[str, Any], physical_ids: dict[str, str],
                      endpoint: str) -> dict[str, CognitoAuthorizer]:
    """Logical id -> authorizer, for the template's COGNITO_USER_POOLS authorizers.

    `physical_ids` resolves a `Fn::GetAtt [UserPool, Arn]` provider to the pool id;
    `endpoint` is the (local) AWS serving `/<pool id>/.well-known/jwks.json`.
    """
    found = {}
    for name, resource in template["Resources"].items():
        props = resource.get("Properties", {})
        if resource["Type"] != "AWS::ApiGateway::Authorizer" or \
                props.get("Type") != "COGNITO_USER_POOLS":
            continue
        (provider,) = props["ProviderARNs"]  # one pool per authorizer in our templates
        if isinstance(provider, dict):
            pool_id = physical_ids[provider["Fn::GetAtt"][0]]
            region = pool_id.split("_", 1)[0]  # a pool id is <region>_<suffix>
            issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        else:
            issuer = issuer_of(provider)
            pool_id = issuer.rsplit("/", 1)[1]
        header = props["IdentitySource"].rsplit(".", 1)[1]
        found[name] = CognitoAuthorizer(issuer, f"{endpoint}/{pool_id}/.well-known/jwks.json",
                                        header)
    return found

