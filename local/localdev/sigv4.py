"""The AWS_IAM authorization of the launched template, as API Gateway runs it.

For a method with `AuthorizationType: AWS_IAM`: the request must carry a SigV4
`Authorization` header for service `execute-api` in our region, signed with the
secret of a known access key (the signature is recomputed with botocore's
SigV4Auth over the headers the caller signed, the URL as sent and the body, and
compared in constant time), dated within 15 minutes of now (AWS's allowed skew);
then the caller's IAM policies must allow `execute-api:Invoke` on the method ARN
`arn:aws:execute-api:<region>:<account>:<apiId>/<stage>/<METHOD>/<path>`.
Answers as the template's gateway responses: nothing signed ->
MISSING_AUTHENTICATION_TOKEN; a malformed header, unknown key, wrong scope, bad or
stale signature -> INVALID_SIGNATURE (AWS's "Signature expired" is one too);
not allowed -> ACCESS_DENIED. Locally only long-term access keys exist (no
session tokens), so EXPIRED_TOKEN does not arise here. The stack's resource
policy (`iam_account_ids`) is not evaluated locally: every local caller is in
moto's one account.

`allows` implements the subset of IAM policy evaluation our policies use:
Effect Allow/Deny with Action and Resource (a string or a list), `*` and `?`
wildcards, actions case-insensitive, resources case-sensitive; an explicit Deny
wins over any Allow, no Allow is an implicit deny. A statement with a Condition,
NotAction, NotResource or NotPrincipal is not understood: it never allows and,
if a Deny, always denies (fail closed). No maintained Python library evaluates
IAM identity policies (botocore signs but does not authorize; moto's IAM does not
evaluate policies for execute-api), hence this small hand-written part.
"""

from __future__ import annotations

import hmac
from hashlib import sha256
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Optional

from botocore.auth import SIGV4_TIMESTAMP, SigV4Auth
from botocore.awsrequest import AWSRequest, HTTPHeaders
from botocore.credentials import Credentials

from localdev.authorizer import Unauthorized

SERVICE = "execute-api"
ALGORITHM = "AWS4-HMAC-SHA256"
MAX_SKEW = timedelta(minutes=15)  # SigV4: a request more than 15 min off is refused
MISSING = "MISSING_AUTHENTICATION_TOKEN"
INVALID = "INVALID_SIGNATURE"
DENIED = "ACCESS_DENIED"
_AUTH = re.compile(r"^AWS4-HMAC-SHA256\s+Credential=([^,\s]+)\s*,\s*"
                   r"SignedHeaders=([^,\s]+)\s*,\s*Signature=([0-9a-f]{64})\s*$")
_UNDERSTOOD = {"Sid", "Effect", "Action", "Resource"}


@dataclass(frozen=True)
class Principal:
    """An IAM user as the local API knows it: its secret and its policy documents."""

    secret_key: str
    user_arn: str
    user_id: str
    policies: tuple[dict[str, Any], ...]

    @property
    def account_id(self) -> str:
        return self.user_arn.split(":")[4]


def _listed(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


def _wildcard(pattern: str, value: str, ignore_case: bool) -> bool:
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, re.IGNORECASE if ignore_case else 0) is not None


def allows(policies: Iterable[dict[str, Any]], action: str, resource: str) -> bool:
    """Do these identity policies allow `action` on `resource`? (module docstring)"""
    allowed = False
    for policy in policies:
        statements = policy.get("Statement", [])
        for statement in [statements] if isinstance(statements, dict) else statements:
            deny = statement.get("Effect") == "Deny"
            if set(statement) - _UNDERSTOOD:  # Condition, Not*: unknown, fail closed
                if deny:
                    return False
                continue
            hit = (any(_wildcard(a, action, True) for a in _listed(statement.get("Action")))
                   and any(_wildcard(r, resource, False)
                           for r in _listed(statement.get("Resource"))))
            if hit and deny:
                return False
            allowed = allowed or (hit and statement.get("Effect") == "Allow")
    return allowed


class _Verifier(SigV4Auth):
    """botocore's SigV4 over exactly the headers the caller signed."""

    def __init__(self, credentials: Credentials, region: str, signed: list[str]) -> None:
        super().__init__(credentials, SERVICE, region)
        self.signed = signed

    def headers_to_sign(self, request: AWSRequest) -> HTTPHeaders:
        headers = HTTPHeaders()
        for name in self.signed:
            for value in request.headers.get_all(name) or [""]:
                headers.add_header(name, value)
        return headers

    def expected(self, request: AWSRequest, timestamp: str) -> str:
        request.context["timestamp"] = timestamp
        return self.signature(self.string_to_sign(request, self.canonical_request(request)),
                              request)


@dataclass
class IamAuthorizer:
    """AWS_IAM methods of one stage; `principal(access_key)` finds a caller or None."""

    principal: Callable[[str], Optional[Principal]]
    api_id: str
    stage: str
    region: str

    def identity(self, method: str, url: str, path: str, headers: Any, body: bytes,
                 source_ip: str, user_agent: str,
                 now: Optional[datetime] = None) -> dict[str, Any]:
        """`requestContext.identity` for a request allowed to call `method` `path`
        (the path after the stage, as sent), or raise Unauthorized."""
        header = (headers.get("Authorization") or "").strip()
        amz_date = (headers.get("X-Amz-Date") or "").strip()
        if not header:
            raise Unauthorized("Missing Authentication Token", MISSING)
        match = _AUTH.match(header)
        scope = match.group(1).split("/") if match else []
        if not match or len(scope) != 5 or not amz_date:
            raise Unauthorized("Authorization header requires 'Credential', 'SignedHeaders' "
                               "and 'Signature' parameters, and X-Amz-Date", INVALID)
        key, day, region, service, terminal = scope
        signed = match.group(2).split(";")
        if (region, service, terminal) != (self.region, SERVICE, "aws4_request") or \
                not amz_date.startswith(day) or "host" not in signed:
            raise Unauthorized(f"Credential should be scoped to {self.region}/{SERVICE}",
                               INVALID)
        try:
            when = datetime.strptime(amz_date, SIGV4_TIMESTAMP).replace(tzinfo=timezone.utc)
        except ValueError:
            raise Unauthorized("X-Amz-Date is not a SigV4 timestamp", INVALID) from None
        if abs((now or datetime.now(timezone.utc)) - when) > MAX_SKEW:
            raise Unauthorized(f"Signature expired: {amz_date} is more than 15 min from "
                               "now", INVALID)
        caller = self.principal(key)
        if caller is None:
            raise Unauthorized("The security token included in the request is invalid",
                               INVALID)
        declared = headers.get("X-Amz-Content-SHA256")
        if declared is not None and declared != sha256(body).hexdigest():
            raise Unauthorized("X-Amz-Content-SHA256 does not match the body", INVALID)
        request = AWSRequest(method=method, url=url, data=body)
        for name in signed:
            for value in headers.getlist(name):
                request.headers.add_header(name, value)
        expected = _Verifier(Credentials(key, caller.secret_key), self.region,
                             signed).expected(request, amz_date)
        if not hmac.compare_digest(expected, match.group(3)):
            raise Unauthorized("The request signature we calculated does not match the "
                               "signature you provided", INVALID)
        arn = (f"arn:aws:execute-api:{self.region}:{caller.account_id}:{self.api_id}/"
               f"{self.stage}/{method}{path}")
        if not allows(caller.policies, "execute-api:Invoke", arn):
            raise Unauthorized(f"User: {caller.user_arn} is not authorized to perform: "
                               f"execute-api:Invoke on resource: {arn}", DENIED)
        return {"accessKey": key, "accountId": caller.account_id, "caller": caller.user_id,
                "user": caller.user_id, "userArn": caller.user_arn, "sourceIp": source_ip,
                "userAgent": user_agent, "cognitoIdentityPoolId": None,
                "cognitoIdentityId": None, "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None, "principalOrgId": None}


def iam_principals(iam: Any, secrets: dict[str, str]) -> Callable[[str], Optional[Principal]]:
    """Callers from the (local) IAM: `secrets` maps the access keys `make up` created
    to their secrets (IAM never returns a secret again); the user's attached managed
    and inline policies are read at each request, so a detach takes effect at once."""

    def principal(access_key: str) -> Optional[Principal]:
        if access_key not in secrets:
            return None
        name = iam.get_access_key_last_used(AccessKeyId=access_key)["UserName"]
        user = iam.get_user(UserName=name)["User"]
        documents = []
        for attached in iam.list_attached_user_policies(UserName=name)["AttachedPolicies"]:
            policy = iam.get_policy(PolicyArn=attached["PolicyArn"])["Policy"]
            documents.append(iam.get_policy_version(
                PolicyArn=attached["PolicyArn"],
                VersionId=policy["DefaultVersionId"])["PolicyVersion"]["Document"])
        for inline in iam.list_user_policies(UserName=name)["PolicyNames"]:
            documents.append(iam.get_user_policy(UserName=name,
                                                 PolicyName=inline)["PolicyDocument"])
        return Principal(secrets[access_key], user["Arn"], user["UserId"], tuple(documents))

    return principal
