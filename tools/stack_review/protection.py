"""What a protected stack's policy refuses (stack_protection.policy): a change that would
replace or remove a resource holding data fails the launch, which rolls back.

A stack is protected when either revision says so (`retain_data: true` with the hook
before updates): the head's hook sets the policy the update runs under, and a base that
had it left the full policy on the stack, which a head without it does not lift."""

from __future__ import annotations

from typing import Any

from stack_protection.policy import UNPROTECT_ENV, denied
from stack_review import impact
from stack_review.diff import ResourceChange, StackDiff


def _advice(change: ResourceChange, region: str, stack: str, action: str) -> str:
    override = f"`{UNPROTECT_ENV}={change.logical_id} sceptre launch {stack}.yaml`"
    if action == "Update:Delete":
        return f"to remove it on purpose, for one launch: {override}"
    if impact.keeps_name(change, region):
        return (f"to replace it on purpose: give it a new name as well (CloudFormation cannot "
                f"replace a resource with a fixed name), then, for one launch: {override}")
    return f"to replace it on purpose, for one launch: {override}"


def review(diff: StackDiff, old: dict[str, Any], new: dict[str, Any]) -> None:
    """Mark each change the stack's policy would refuse, with the one-launch way round."""
    if not (old.get("protected") or new.get("protected")):
        return
    for change in diff.resources:
        action = denied(change.type, change.action)
        if not action:
            continue
        verdict = ("if CloudFormation replaces it, the stack policy denies" if
                   change.action == "may replace" else "the stack policy denies")
        change.stack_policy = (
            f"{verdict} {action} here (retain_data: true): `sceptre launch` would fail and "
            f"roll back; {_advice(change, diff.region, diff.name, action)}")
