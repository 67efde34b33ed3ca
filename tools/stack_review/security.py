"""The security section, like `cdk diff`'s: IAM statements added/removed (policies,
trust policies, resource policies, KMS key policies, Lambda permissions) and other
changes that widen or narrow access (authorizers, method authorization, CORS origins,
public access, encryption, WAF)."""

from __future__ import annotations

import json
import re
from typing import Any, Iterator

from stack_review.diff import ResourceChange, SecurityChange, StackDiff
from stack_review.values import MISSING, compact, pair, path_text

# Resources that are access control as a whole: adding or removing one is a security change.
SECURITY_TYPES = re.compile(
    r"^AWS::(IAM::|Cognito::|WAFv2::|WAF::|WAFRegional::|SecretsManager::ResourcePolicy|"
    r"ApiGateway::Authorizer|ApiGatewayV2::Authorizer|ApiGateway::UsagePlan|ApiGateway::ApiKey|"
    r"S3::BucketPolicy|SQS::QueuePolicy|SNS::TopicPolicy|Lambda::Permission|Lambda::Url|"
    r"EC2::SecurityGroup|KMS::Key)")
# Property paths that decide who may call or read what.
SECURITY_PATHS = [
    (re.compile(r"(?i)cors|access-control-allow-origin|allowedorigins"), "CORS"),
    (re.compile(r"^Properties\.(AuthorizationType|AuthorizerId|AuthorizationScopes|"
                r"ApiKeyRequired|ApiKeySourceType|DisableExecuteApiEndpoint)"), "authorization"),
    (re.compile(r"^Properties\.(PublicAccessBlockConfiguration|AccessControl|"
                r"OwnershipControls|EndpointConfiguration)"), "public access"),
    (re.compile(r"^Properties\.(ManagedPolicyArns|PermissionsBoundary|Principal|SourceArn|"
                r"SourceAccount|Action|FunctionUrlAuthType)"), "access"),
    (re.compile(r"(?i)^Properties\.(SSESpecification|BucketEncryption|KmsMasterKeyId|"
                r"KmsKeyId|KMSKeyArn|EnableKeyRotation|EncryptionConfiguration)"), "encryption"),
    (re.compile(r"^Properties\.(SecurityGroupIngress|SecurityGroupEgress|CidrIp)"), "network"),
    (re.compile(r"(?i)webacl"), "WAF"),
]


def _is_policy(value: dict[str, Any]) -> bool:
    """An IAM policy document: Statement entries with an Effect (a WAF rule's Statement
    has none)."""
    statements = _as_list(value.get("Statement", MISSING))
    return bool(statements) and all(isinstance(s, dict) and "Effect" in s for s in statements)


def _policy_documents(value: Any, path: tuple = ()) -> Iterator[tuple[tuple, dict]]:
    """Every IAM policy document inside Properties."""
    if isinstance(value, dict):
        if _is_policy(value):
            yield path, value
            return
        for key, item in value.items():
            yield from _policy_documents(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _policy_documents(item, path + (index,))


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [] if value is MISSING or value is None \
        else [value]


def statement_text(statement: dict[str, Any]) -> str:
    """Allow s3:GetObject on !Sub ${Bucket.Arn}/* for {Service: lambda.amazonaws.com}."""
    actions = statement.get("Action", MISSING)
    words = [str(statement.get("Effect", "?")),
             ("NOT " if actions is MISSING and "NotAction" in statement else "") +
             ", ".join(compact(a) for a in _as_list(actions if actions is not MISSING
                                                     else statement.get("NotAction")))]
    resources = _as_list(statement.get("Resource", statement.get("NotResource", MISSING)))
    if resources:
        words.append("on " + ", ".join(compact(r) for r in resources))
    for key in ("Principal", "NotPrincipal", "Condition"):
        if key in statement:
            words.append(f"{key.lower()} {compact(statement[key])}")
    return " ".join(words)


def _statements(resource: dict[str, Any] | None) -> dict[str, str]:
    """{canonical JSON: readable text} of every statement a resource grants or denies."""
    if not resource:
        return {}
    properties = resource.get("Properties") or {}
    found = {}
    for path, document in _policy_documents(properties):
        where = path_text(path)
        for statement in _as_list(document.get("Statement")):
            if isinstance(statement, dict):
                key = json.dumps([where, statement], sort_keys=True)
                found[key] = f"{where}: {statement_text(statement)}"
    if resource.get("Type") == "AWS::Lambda::Permission":
        action, function = properties.get("Action"), properties.get("FunctionName")
        found[json.dumps(properties, sort_keys=True)] = (
            f"Allow {compact(action)} on {compact(function)}"
            f" for {compact(properties.get('Principal'))}"
            + (f" from {compact(properties['SourceArn'])}" if "SourceArn" in properties else ""))
    return found


def version_successors(diff: StackDiff) -> dict[str, str]:
    """Old -> new logical ID of a function's published version that a release replaces:
    one AWS::Lambda::Version of a FunctionName destroyed, one of the same added. A
    grant on the old version that moves to the new one is the same grant (the
    pre-traffic check may invoke exactly the version under test, whichever it is)."""
    def versions(actions: tuple[str, ...]) -> dict[str, list[str]]:
        found: dict[str, list[str]] = {}
        for change in diff.resources:
            side = change.new or change.old  # an added one has only new, a removed only old
            if change.action in actions and change.type == "AWS::Lambda::Version" and side:
                function = json.dumps((side.get("Properties") or {}).get("FunctionName"),
                                      sort_keys=True)
                found.setdefault(function, []).append(change.logical_id)
        return found

    gone, added = versions(("destroy", "orphan")), versions(("add",))
    return {gone[f][0]: added[f][0] for f in gone
            if len(gone[f]) == 1 and len(added.get(f, [])) == 1}


def _follow(value: Any, successors: dict[str, str]) -> Any:
    """`value` with each {"Ref": old version} replaced by its successor's."""
    if isinstance(value, dict):
        if set(value) == {"Ref"} and value["Ref"] in successors:
            return {"Ref": successors[value["Ref"]]}
        return {key: _follow(item, successors) for key, item in value.items()}
    if isinstance(value, list):
        return [_follow(item, successors) for item in value]
    return value


def _statement_changes(change: ResourceChange,
                       successors: dict[str, str]) -> list[SecurityChange]:
    old = {json.dumps(_follow(json.loads(key), successors), sort_keys=True): text
           for key, text in _statements(change.old).items()}
    new = _statements(change.new)
    return [SecurityChange("-", change.logical_id, "IAM statement", old[k])
            for k in old if k not in new] + \
           [SecurityChange("+", change.logical_id, "IAM statement", new[k])
            for k in new if k not in old]


def _path_changes(change: ResourceChange) -> list[SecurityChange]:
    found = []
    for path, old, new in change.changes:
        text = path_text(path)
        shown = path_text(path[1:] if path[:1] == ("Properties",) else path)
        if ".Statement" in text or any(next(_policy_documents(v), None) for v in (old, new)):
            continue  # shown statement by statement
        kinds = [kind for pattern, kind in SECURITY_PATHS if pattern.search(text)]
        if not kinds and SECURITY_TYPES.match(change.type) and path[:1] == ("Properties",):
            kinds = [change.type]  # an authorizer, WAF rule, user pool client... changes
        if kinds:
            found.append(SecurityChange("~", change.logical_id, kinds[0],
                                        "{}: {} -> {}".format(shown, *pair(old, new, 40))))
    return found


def review(diff: StackDiff) -> StackDiff:
    """Fill in the stack's security section."""
    successors = version_successors(diff)
    for change in diff.resources:
        if change.action in ("add", "destroy", "orphan") and SECURITY_TYPES.match(change.type):
            sign = "+" if change.action == "add" else "-"
            diff.security.append(SecurityChange(sign, change.logical_id, change.type,
                                                "added" if sign == "+" else "removed"))
        diff.security += _statement_changes(change, successors)
        diff.security += _path_changes(change)
    return diff
