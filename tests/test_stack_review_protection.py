"""stack-review's STACK POLICY finding: on a stack whose updates run under the stack
policy (`retain_data: true`, !stack_protection before updates), a change that replaces or
removes a resource holding data would fail the launch; the review says so and names the
one-launch override."""

from __future__ import annotations

from typing import Any

from stack_review import report, text
from stack_review.render import Job, render_all
from tests.helpers import REPO
from tests.stack_review_tables import rendering


def _table(name: str) -> dict[str, Any]:
    return {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {
        "TableName": name, "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST"}}


def _topic(name: str) -> dict[str, Any]:
    return {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": name}}


def _review(old: dict, new: dict, protected: bool, before_too: bool = False) -> report.Review:
    before, after = rendering(old), rendering(new)
    after["stacks"]["dev/api"]["protected"] = protected
    before["stacks"]["dev/api"]["protected"] = before_too
    return report.build("old", "new", before, after)


def test_the_shipped_config_protects_prod_only():
    (rendered,) = render_all([Job("head", REPO)])
    protected = {name for name, stack in rendered["stacks"].items() if stack["protected"]}
    assert protected == {"prod/api"}


def test_a_replaced_table_of_a_protected_stack_is_flagged_with_the_override():
    review = _review({"Orders": _table("a"), "T": _topic("x")},
                     {"Orders": _table("b"), "T": _topic("y")}, protected=True)
    changes = {c.logical_id: c for _, c in review.resources()}
    assert changes["Orders"].action == "replace" and changes["T"].action == "replace"
    assert changes["T"].stack_policy == ""  # a topic holds nothing the policy keeps
    message = changes["Orders"].stack_policy
    assert "denies Update:Replace" in message and "new name" not in message
    assert "`DATA_API_UNPROTECT=Orders sceptre launch dev/api.yaml`" in message
    assert report.failures(review, ["stack-policy"]) == [f"dev/api Orders: {message}"]
    assert "1 STACK POLICY marker(s)" in report.headline(review)
    assert "~ Orders (AWS::DynamoDB::Table) REPLACE" in text.render(review)
    assert "*** STACK POLICY ***" in text.render(review)


def test_a_removed_table_is_an_update_delete():
    review = _review({"Orders": _table("a")}, {}, protected=True)
    (change,) = [c for _, c in review.resources()]
    assert "denies Update:Delete" in change.stack_policy and "to remove it" in change.stack_policy


def test_a_table_whose_fixed_name_stays_is_told_to_take_a_new_one():
    old, new = _table("a"), _table("a")
    new["Properties"]["KeySchema"][0]["AttributeName"] = "pk"
    new["Properties"]["AttributeDefinitions"][0]["AttributeName"] = "pk"
    (change,) = [c for _, c in _review({"Orders": old}, {"Orders": new}, True).resources()]
    assert change.action == "replace" and "give it a new name as well" in change.stack_policy


def test_an_unprotected_stack_is_not_flagged():
    review = _review({"Orders": _table("a")}, {"Orders": _table("b")}, protected=False)
    assert report.failures(review, ["stack-policy"]) == []


def test_a_policy_left_by_the_base_still_counts():
    """A head without retain_data (or the hook) lifts nothing already applied."""
    review = _review({"Orders": _table("a")}, {}, protected=False, before_too=True)
    (change,) = [c for _, c in review.resources()]
    assert "denies Update:Delete" in change.stack_policy


def test_the_cli_fails_on_it_and_markdown_shows_it(monkeypatch, capsys):
    from stack_review import cli, markdown

    review = _review({"Orders": _table("a")}, {"Orders": _table("b")}, protected=True)
    monkeypatch.setattr(cli, "review", lambda args: review)
    assert cli.main(["--base", "main", "--fail-on", "stack-policy"]) == 1
    assert "stack-review: fails on dev/api Orders: the stack policy denies" in \
        capsys.readouterr().err
    assert cli.main(["--base", "main", "--fail-on", "gsi-limit"]) == 0
    assert "> :warning: **STACK POLICY**: `dev/api` `Orders`" in markdown.render(review)
