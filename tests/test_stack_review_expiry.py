"""stack-review's TTL finding: one update cannot move a kept table's TTL to another
attribute, and leaving TimeToLiveSpecification out does not turn TTL off. Small hand-made
templates, reviewed as the CLI reviews them; the CLI's exit code with --fail-on ttl-change
on the same reviews."""

from __future__ import annotations

from typing import Any, Optional

import pytest

from stack_review import expiry, markdown, report, schemas, text
from tests.stack_review_tables import REGION, build, changes, cli_run

TABLE_NAME = "serverless-data-dev-items"
TURN_OFF = (f"`aws dynamodb update-time-to-live --table-name {TABLE_NAME} "
            "--time-to-live-specification Enabled=false,AttributeName=expires_at`")


def table(ttl: Optional[str] = None, enabled: Any = True, key: str = "id") -> dict[str, Any]:
    properties: dict[str, Any] = {
        "TableName": TABLE_NAME, "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"}
    if ttl is not None:
        properties["TimeToLiveSpecification"] = {"AttributeName": ttl, "Enabled": enabled}
    return {"Type": "AWS::DynamoDB::Table", "Properties": properties}


def test_the_rule_is_what_the_tables_schema_says():
    spec = schemas.schema("AWS::DynamoDB::Table", REGION)["definitions"][
        "TimeToLiveSpecification"]["properties"]["AttributeName"]["description"]
    assert "To update this property, you must first disable TTL and then enable TTL" in spec
    assert "required when enabling the TTL, or when TTL is already enabled" in spec


def test_ttl_added_to_a_table_that_had_none_is_one_change():
    added = changes({"T": table()}, {"T": table("expires_at")})["T"]
    assert added.action == "update" and added.ttl_change == ""
    # Turned on again where it was off, even on another attribute: one change too.
    enabled = changes({"T": table("old_expiry", enabled=False)}, {"T": table("expires_at")})
    assert enabled["T"].action == "update" and enabled["T"].ttl_change == ""


def test_ttl_turned_off_with_enabled_false_is_the_way_cloudformation_does_it():
    off = changes({"T": table("expires_at")}, {"T": table("expires_at", enabled=False)})["T"]
    assert off.action == "update" and off.ttl_change == ""
    spelled = changes({"T": table("expires_at")}, {"T": table("expires_at", "false")})["T"]
    assert spelled.ttl_change == ""


def test_an_unchanged_ttl_beside_another_change_is_not_flagged():
    old, new = table("expires_at"), table("expires_at")
    new["Properties"]["BillingMode"] = "PROVISIONED"
    assert changes({"T": old}, {"T": new})["T"].ttl_change == ""


def test_ttl_moved_to_another_attribute_says_to_turn_it_off_first():
    review = build({"T": table("expires_at")}, {"T": table("purge_at")})
    (change,) = [c for _, c in report.ttl_changes(review)]
    assert change.logical_id == "T" and change.action == "update"
    assert change.ttl_change == (
        "moves TTL from expires_at to purge_at in one update: DynamoDB turns TTL on for "
        "another attribute only once it is off, so the update would fail and roll back (or "
        "leave TTL on expires_at); removing ttl_attribute does not turn it off: before this "
        f"launch run {TURN_OFF}, wait until "
        f"`aws dynamodb describe-time-to-live --table-name {TABLE_NAME}` says DISABLED (up "
        "to an hour: DynamoDB takes one TTL change per table per hour)")
    assert report.failures(review, ["ttl-change"]) == [f"dev/api T: {change.ttl_change}"]
    assert not report.failures(review, ["replacement", "destroy", "security", "gsi-limit"])
    assert "1 TTL CHANGE marker(s)" in report.headline(review)
    out = text.render(review)
    assert "~ T (AWS::DynamoDB::Table) UPDATE *** TTL CHANGE ***" in out
    assert TURN_OFF in " ".join(out.split())
    assert max(len(line) for line in out.splitlines()) <= 100
    md = markdown.render(review)
    assert "> :warning: **TTL CHANGE**: `dev/api` `T` (AWS::DynamoDB::Table) moves TTL" in md
    assert "| `T` | `AWS::DynamoDB::Table` | **update** :warning: **TTL CHANGE** |" in md


def test_ttl_left_out_of_the_template_stays_on_in_dynamodb():
    review = build({"T": table("expires_at")}, {"T": table()})
    change = changes({"T": table("expires_at")}, {"T": table()})["T"]
    assert change.action == "update"
    assert change.ttl_change.startswith(
        "removes TTL on expires_at: CloudFormation does not turn TTL off for a "
        "TimeToLiveSpecification left out (it leaves it on, or fails the update), so "
        "DynamoDB goes on deleting items whose expires_at has passed")
    assert f"before this launch run {TURN_OFF}, wait until" in change.ttl_change
    assert report.failures(review, ["ttl-change"]) == [f"dev/api T: {change.ttl_change}"]
    assert "*** TTL CHANGE ***" in text.render(review)


def test_a_new_or_replaced_table_comes_with_its_ttl():
    new = changes({}, {"T": table("expires_at")})["T"]
    assert new.action == "add" and new.ttl_change == ""
    # A new key is a new table (a replacement), TTL and all.
    replaced = changes({"T": table("expires_at")}, {"T": table("purge_at", key="pk")})["T"]
    assert replaced.action == "replace" and replaced.ttl_change == ""
    # A renamed logical ID is a new table too, and the old one goes with its TTL.
    renamed = changes({"T": table("expires_at")}, {"U": table("purge_at")})
    assert renamed["U"].action == "add" and not any(c.ttl_change for c in renamed.values())


def test_both_findings_on_one_table_are_both_shown():
    index = {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
             "Projection": {"ProjectionType": "ALL"}}
    new = table("purge_at")
    new["Properties"]["GlobalSecondaryIndexes"] = [{**index, "IndexName": name}
                                                  for name in ("A", "B")]
    review = build({"T": table("expires_at")}, {"T": new})
    assert "*** GSI LIMIT *** *** TTL CHANGE ***" in text.render(review)
    assert "1 GSI LIMIT marker(s), 1 TTL CHANGE marker(s)" in report.headline(review)
    assert len(report.failures(review, ["gsi-limit", "ttl-change"])) == 2


@pytest.mark.parametrize("properties, on", [
    ({}, None), ({"TimeToLiveSpecification": {"AttributeName": "e", "Enabled": True}}, "e"),
    ({"TimeToLiveSpecification": {"AttributeName": "e", "Enabled": False}}, None),
    ({"TimeToLiveSpecification": {"AttributeName": "e"}}, None),  # Enabled is required
    ({"TimeToLiveSpecification": {"AttributeName": {"Ref": "Expiry"}, "Enabled": True}},
     "!Ref Expiry"),
])
def test_the_attribute_ttl_is_on(properties, on):
    assert expiry.enabled_on(properties) == on


@pytest.mark.parametrize("old, new, code", [
    ({"T": table()}, {"T": table("expires_at")}, 0),
    ({"T": table("expires_at")}, {"T": table("purge_at")}, 1),
    ({"T": table("expires_at")}, {"T": table()}, 1),
    ({}, {"T": table("expires_at")}, 0),
], ids=["added", "moved", "removed", "new-table"])
def test_cli_fails_on_ttl_change_only_when_a_table_is_flagged(old, new, code, monkeypatch,
                                                              capsys):
    exit_code, err = cli_run(old, new, "ttl-change", monkeypatch, capsys)
    assert exit_code == code
    assert ("stack-review: fails on dev/api T: " in err) == bool(code)
    # Without --fail-on ttl-change, a flagged table does not fail the run.
    assert cli_run(old, new, "replacement,destroy,gsi-limit", monkeypatch, capsys)[0] == 0
