"""Time to Live on a kept table: what one stack update cannot do to it.

CloudFormation's AWS::DynamoDB::Table TimeToLiveSpecification (the template reference's
aws-properties-dynamodb-table-timetolivespecification page, and the schema cfn-lint ships,
under AttributeName): "To update this property, you must first disable TTL and then enable
TTL with the new attribute name", and AttributeName "is required when enabling the TTL, or
when TTL is already enabled". DynamoDB's UpdateTimeToLive (API reference): "It can take up
to one hour for the change to fully process. Any additional UpdateTimeToLive calls for the
same table during this one hour duration result in a ValidationException". So one update
cannot move TTL from one attribute to another: it fails and rolls back (go-to-k/cdkd#932:
"AWS allows TTL on only one attribute and rejects enabling it on a new attribute while TTL
is still active on the old one", and CloudFormation hits UPDATE_ROLLBACK), or, as reported
in aws/aws-cdk#13106, leaves TTL on the old attribute without a word.

A TimeToLiveSpecification left out of the template does not turn TTL off: CloudFormation
left TTL enabled (aws/aws-cdk#10576, aws/aws-cdk#13106: removing it "will only exclude the
TimeToLiveSpecification from the generated CloudFormation file"), or failed the update
("AttributeName property of TimeToLiveSpecification is required when TTL status is enabled
or while enabling/disabling TTL", aws/aws-cdk#25655). Only `Enabled: false` turns it off,
which a collection's config does not write: the way off is DynamoDB's own
update-time-to-live, before the launch.

Turning TTL on where it was off is one change, and a new or replaced table is created with
its TTL: neither is flagged."""

from __future__ import annotations

from typing import Any, Optional

from stack_review.values import compact

OFF = (False, "false", "False")


def enabled_on(properties: dict[str, Any]) -> Optional[str]:
    """The attribute TTL is on in these properties (None: no TTL, or `Enabled: false`)."""
    spec = properties.get("TimeToLiveSpecification")
    if not isinstance(spec, dict) or spec.get("Enabled", False) in OFF:
        return None
    name = spec.get("AttributeName")
    return name if isinstance(name, str) else compact(name)


def _turn_off(table: str, attribute: str) -> str:
    return (f"`aws dynamodb update-time-to-live --table-name {table} "
            f"--time-to-live-specification Enabled=false,AttributeName={attribute}`, wait "
            f"until `aws dynamodb describe-time-to-live --table-name {table}` says DISABLED "
            f"(up to an hour: DynamoDB takes one TTL change per table per hour)")


def finding(old: dict[str, Any], new: dict[str, Any]) -> str:
    """What one update would do wrong and what to do instead ("" when nothing)."""
    before, after = enabled_on(old), enabled_on(new)
    if before is None or after == before:
        return ""
    name = new.get("TableName", old.get("TableName"))
    table = name if isinstance(name, str) else "<table name>"
    if "TimeToLiveSpecification" not in new:
        return (f"removes TTL on {before}: CloudFormation does not turn TTL off for a "
                f"TimeToLiveSpecification left out (it leaves it on, or fails the update), "
                f"so DynamoDB goes on deleting items whose {before} has passed, though the "
                f"API no longer treats them as expired; to stop it, before this launch run "
                + _turn_off(table, before))
    if after is None:  # `Enabled: false`: the one way CloudFormation turns it off
        return ""
    return (f"moves TTL from {before} to {after} in one update: DynamoDB turns TTL on for "
            f"another attribute only once it is off, so the update would fail and roll back "
            f"(or leave TTL on {before}); removing ttl_attribute does not turn it off: "
            f"before this launch run " + _turn_off(table, before))
