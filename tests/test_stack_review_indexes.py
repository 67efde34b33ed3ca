"""stack-review's global secondary index limit: CloudFormation adds or deletes one index per
table per stack update. Small hand-made templates, reviewed as the CLI reviews them; the
CLI's exit code with --fail-on gsi-limit on the same reviews."""

from __future__ import annotations

from typing import Any

import pytest

from stack_review import markdown, report, schemas, text
from tests.stack_review_tables import REGION, build, changes, cli_run



def gsi(name: str, key: str = "owner", projection: str = "ALL") -> dict[str, Any]:
    return {"IndexName": name, "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
            "Projection": {"ProjectionType": projection}}


def table(*indexes: dict[str, Any], **extra: Any) -> dict[str, Any]:
    keys = ["id"] + sorted({k["AttributeName"] for i in indexes for k in i["KeySchema"]})
    properties = {"KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
                  "AttributeDefinitions": [{"AttributeName": k, "AttributeType": "S"}
                                           for k in keys],
                  "BillingMode": "PAY_PER_REQUEST", **extra}
    if indexes:
        properties["GlobalSecondaryIndexes"] = list(indexes)
    return {"Type": "AWS::DynamoDB::Table", "Properties": properties}


def test_the_limit_is_what_the_tables_schema_says():
    description = schemas.schema("AWS::DynamoDB::Table", REGION)["properties"][
        "GlobalSecondaryIndexes"]["description"]
    assert "delete or add one global secondary index" in description
    assert "If you do both in the same update" in description and "the update fails" in description


def test_one_index_added_or_removed_is_within_the_limit():
    added = changes({"T": table()}, {"T": table(gsi("ByOwner"))})["T"]
    assert added.action == "update" and added.gsi_limit == ""
    removed = changes({"T": table(gsi("ByOwner"), gsi("ByDate", "date"))},
                      {"T": table(gsi("ByOwner"))})["T"]
    assert removed.action == "update" and removed.gsi_limit == ""
    throughput = {**gsi("ByOwner"), "ContributorInsightsSpecification": {"Enabled": True}}
    tuned = changes({"T": table(gsi("ByOwner"))}, {"T": table(throughput)})["T"]
    assert tuned.action == "update" and tuned.gsi_limit == ""  # updates in place


def test_two_indexes_added_name_both_and_split_into_two_launches():
    review = build({"T": table()}, {"T": table(gsi("ByOwner"), gsi("ByDate", "date"))})
    (table_change,) = [c for _, c in report.gsi_limits(review)]
    assert table_change.logical_id == "T" and table_change.action == "update"
    assert table_change.gsi_limit == (
        "creates 2 global secondary indexes (ByOwner, ByDate) in one update: CloudFormation "
        "creates or deletes one per table per update, so it would fail and roll back; add one "
        "index per launch: launch with ByOwner added, then again with ByDate added "
        "(2 launches)")
    assert report.failures(review, ["gsi-limit"]) == [f"dev/api T: {table_change.gsi_limit}"]
    assert not report.failures(review, ["replacement", "destroy", "security"])
    assert "1 GSI LIMIT marker(s)" in report.headline(review)
    out = text.render(review)
    assert "~ T (AWS::DynamoDB::Table) UPDATE *** GSI LIMIT ***" in out
    assert "launch with ByOwner added, then again with ByDate added" in " ".join(out.split())
    assert max(len(line) for line in out.splitlines()) <= 100
    md = markdown.render(review)
    assert "> :warning: **GSI LIMIT**: `dev/api` `T` (AWS::DynamoDB::Table) creates 2" in md
    assert "| `T` | `AWS::DynamoDB::Table` | **update** :warning: **GSI LIMIT** |" in md


def test_one_added_and_one_removed_is_over_the_limit_too():
    change = changes({"T": table(gsi("ByOwner"))}, {"T": table(gsi("ByDate", "date"))})["T"]
    assert change.gsi_limit.startswith("creates 1 and deletes 1 global secondary indexes "
                                       "(ByDate, ByOwner) in one update")
    assert change.gsi_limit.endswith("add or remove one index per launch: launch with ByDate "
                                     "added, then again with ByOwner removed (2 launches)")


@pytest.mark.parametrize("redefined", [gsi("ByOwner", "owner", "KEYS_ONLY"),
                                       gsi("ByOwner", "date")])
def test_a_changed_key_or_projection_of_one_index_is_a_delete_and_a_create(redefined):
    change = changes({"T": table(gsi("ByOwner"))}, {"T": table(redefined)})["T"]
    assert change.action == "update"
    assert "creates 1 and deletes 1 global secondary indexes (ByOwner)" in change.gsi_limit
    assert "launch with ByOwner removed, then again with ByOwner added back with its new " \
           "key or projection (2 launches)" in change.gsi_limit


def test_three_indexes_added_take_three_launches():
    change = changes({"T": table()}, {"T": table(gsi("A"), gsi("B"), gsi("C"))})["T"]
    assert change.gsi_limit.endswith("launch with A added, then again with B added, then "
                                     "again with C added (3 launches)")


def test_a_new_or_replaced_table_comes_with_all_its_indexes_at_once():
    indexes = (gsi("ByOwner"), gsi("ByDate", "date"), gsi("ByState", "state"))
    new = changes({}, {"T": table(*indexes)})["T"]
    assert new.action == "add" and new.gsi_limit == ""
    # A new key is a new table (a replacement), indexes and all.
    rekeyed = table(*indexes)
    rekeyed["Properties"]["KeySchema"][0]["AttributeName"] = "owner"
    replaced = changes({"T": table()}, {"T": rekeyed})["T"]
    assert replaced.action == "replace" and replaced.gsi_limit == ""
    # A renamed logical ID is a new table too.
    renamed = changes({"T": table()}, {"U": table(*indexes)})
    assert renamed["U"].action == "add" and not any(c.gsi_limit for c in renamed.values())


def test_each_table_is_counted_on_its_own():
    review = build({"A": table(), "B": table()},
                   {"A": table(gsi("ByOwner")), "B": table(gsi("ByOwner"))})
    assert report.gsi_limits(review) == []


@pytest.mark.parametrize("old, new, code", [
    ({"T": table()}, {"T": table(gsi("ByOwner"))}, 0),
    ({"T": table()}, {"T": table(gsi("ByOwner"), gsi("ByDate", "date"))}, 1),
    ({"T": table(gsi("ByOwner"))}, {"T": table(gsi("ByDate", "date"))}, 1),
    ({}, {"T": table(gsi("ByOwner"), gsi("ByDate", "date"))}, 0),
], ids=["one-added", "two-added", "added-and-removed", "new-table"])
def test_cli_fails_on_gsi_limit_only_when_a_table_is_over_it(old, new, code, monkeypatch,
                                                             capsys):
    exit_code, err = cli_run(old, new, "gsi-limit", monkeypatch, capsys)
    assert exit_code == code
    assert ("stack-review: fails on dev/api T: creates" in err) == bool(code)
    # Without --fail-on gsi-limit, a table over the limit does not fail the run.
    assert cli_run(old, new, "replacement,destroy", monkeypatch, capsys)[0] == 0
