"""What a protected stack refuses: one home for the hook and for `stack-review`.

A stack with `retain_data: true` keeps its data through every launch: its stack policy
(CloudFormation user guide, "Prevent updates to stack resources") denies `Update:Replace`
and `Update:Delete` on every resource of a type that holds data, whatever its logical ID,
so a table added later is covered from the launch that adds it. The policy names types,
not IDs, through the `ResourceType` condition the guide documents ("StringEquals":
{"ResourceType": [...]}); one launch may lift it for named resources (`NotResource`), and
only through DATA_API_UNPROTECT, which the README documents.
"""

from __future__ import annotations

import json
import re
from typing import Any, Sequence

# Resources whose replacement or removal loses data (stack-review's DATA LOSS markers too).
PROTECTED_TYPES = ("AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable",
                   "AWS::Cognito::UserPool", "AWS::KMS::Key", "AWS::S3::Bucket",
                   "AWS::RDS::DBInstance", "AWS::RDS::DBCluster", "AWS::EFS::FileSystem",
                   "AWS::SQS::Queue")
DENIED = ("Update:Replace", "Update:Delete")
# `DATA_API_UNPROTECT="OrdersTable UserPool" sceptre launch prod`: these may be replaced or
# removed by this one launch; the launch's end puts the full policy back.
UNPROTECT_ENV = "DATA_API_UNPROTECT"
_LOGICAL_ID = re.compile(r"[A-Za-z0-9]{1,255}")
HOOK_NAME = "stack_protection"
UPDATE_ACTION = "prepare_update"  # the hook's argument before an update


def stack_policy(unprotected: Sequence[str] = ()) -> dict[str, Any]:
    """Every update allowed, except replacing or deleting a resource that holds data
    (but those named in `unprotected`)."""
    deny: dict[str, Any] = {
        "Effect": "Deny", "Action": list(DENIED), "Principal": "*",
        "Condition": {"StringEquals": {"ResourceType": list(PROTECTED_TYPES)}}}
    if unprotected:
        deny["NotResource"] = [f"LogicalResourceId/{name}" for name in unprotected]
    else:
        deny["Resource"] = "*"
    return {"Statement": [
        {"Effect": "Allow", "Action": "Update:*", "Principal": "*", "Resource": "*"}, deny]}


def policy_body(unprotected: Sequence[str] = ()) -> str:
    return json.dumps(stack_policy(unprotected), separators=(",", ":"))


def parse_unprotected(value: str | None) -> tuple[str, ...]:
    """DATA_API_UNPROTECT's logical IDs (space- or comma-separated); ValueError quoting a
    value that is not one."""
    names = tuple(part for part in re.split(r"[\s,]+", value or "") if part)
    for name in names:
        if not _LOGICAL_ID.fullmatch(name):
            raise ValueError(f"{UNPROTECT_ENV}: {name!r} is not a logical ID (letters and "
                             "digits, as in the template's Resources)")
    return names


def denied(resource_type: str, action: str) -> str:
    """The denied stack-policy action a stack-review action would be ("" when none)."""
    if resource_type not in PROTECTED_TYPES:
        return ""
    if action in ("replace", "may replace"):
        return "Update:Replace"
    if action in ("destroy", "orphan"):
        return "Update:Delete"
    return ""


def enforced(stack: Any) -> bool:
    """Whether a Sceptre stack's updates run under the policy: `retain_data: true` and the
    hook set to run before its updates."""
    user_data = getattr(stack, "sceptre_user_data", None) or {}
    hooks = (getattr(stack, "hooks", None) or {}).get("before_update") or []
    return user_data.get("retain_data") is True and any(
        type(hook).__module__.startswith(HOOK_NAME) and
        str(getattr(hook, "argument", "")).strip() == UPDATE_ACTION for hook in hooks)
