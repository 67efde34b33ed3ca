"""stack-review on temporary git repositories made from the project.

Each scenario is one edit of a copy of the project; the base and every scenario are
rendered once for the module, in parallel (one renderer process each), and reviewed
with the same code the CLI runs, against the base or, for the scenarios of BASES,
against another scenario's rendering. The CLI itself runs on a real git repository for
the exit codes, the formats and the one-line errors.
"""

from __future__ import annotations

import os
import pty
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable, Optional

import pytest

from stack_review import impact, markdown, report, schemas, text
from stack_review.diff import ResourceChange
from stack_review.render import Job, render_all
from stack_review.values import MISSING
from tests.helpers import BIN, commit, edit, git, git_project, offline_env, settings_file

ANSI = re.compile(r"\033\[[0-9;]*m")
# The review's scenarios run on two environments of the shipped config, one of each
# kind: dev drops its data on delete, prod retains it. The others are left out of the
# fixture's project, so each scenario says exactly what it does to these two.
REVIEWED = ("dev", "prod")


def key_schema(root: Path) -> None:
    edit(root / "templates" / "data_api_stack" / "table.py", 'PARTITION_KEY = "id"',
         'PARTITION_KEY = "pk"')


def memory(root: Path) -> None:
    edit(settings_file(root, "dev"), "sceptre_user_data:\n",
         "sceptre_user_data:\n  memory_mb: 512\n")


def rename_table(root: Path) -> None:
    edit(root / "templates" / "data_api_stack" / "ids.py", 'TABLE = "DataTable"',
         'TABLE = "ItemsTable"')


def handler_code(root: Path) -> None:
    handler = root / "handlers" / "data_api" / "handler.py"
    handler.write_text(handler.read_text() + "\n# a code change, nothing else\n")


def prod_cors(root: Path) -> None:
    edit(settings_file(root, "prod"), 'cors_origin: "https://app.example.com"',
         'cors_origin: "https://www.example.com"')


def iam_action(root: Path) -> None:
    edit(root / "handlers" / "data_api" / "permissions.py", '"Scan")', '"Scan", "Query")')


ORDERS = "  collections: {data: {}, orders: {billing: on_demand}}\n"


def add_collection(root: Path) -> None:
    """A second collection, orders, in both environments (dev drops its data, prod
    retains it)."""
    for env in REVIEWED:
        edit(settings_file(root, env), "sceptre_user_data:\n",
             "sceptre_user_data:\n" + ORDERS)


def remove_collection(root: Path) -> None:
    """The orders collection gone again: reviewed against add_collection (BASES)."""
    add_collection(root)
    for env in REVIEWED:
        edit(settings_file(root, env), ORDERS, "  collections: {data: {}}\n")


def two_indexes(root: Path) -> None:
    """Two global secondary indexes on every collection's table, in one change."""
    table = root / "templates" / "data_api_stack" / "table.py"
    edit(table, 'AttributeType="S"),\n', 'AttributeType="S"),\n' + "".join(
        f'            dynamodb.AttributeDefinition(AttributeName="{key}", AttributeType="S"),\n'
        for key in ("owner", "created")))
    edit(table, 'KeyType="HASH")],\n', 'KeyType="HASH")],\n        GlobalSecondaryIndexes=['
         + ", ".join(f'dynamodb.GlobalSecondaryIndex(IndexName="{name}", KeySchema=['
                     f'dynamodb.KeySchema(AttributeName="{key}", KeyType="HASH")], '
                     'Projection=dynamodb.Projection(ProjectionType="ALL"), **capacity)'
                     for name, key in (("ByOwner", "owner"), ("ByCreated", "created")))
         + "],\n")


# The default collection's rules, written in config as a user would: a schema of its
# data, query indexes on two of its fields, an expiry on a third (or a fourth).
RULES_SCHEMA = ("{type: object, properties: {owner: {type: string, maxLength: 64}, "
                "status: {type: string}, expires_at: {type: integer}, "
                "purge_at: {type: integer}}}")
ONE_INDEX = "{by_owner: {attribute: owner}}"


def collection_rules(root: Path, indexes: str, ttl: Optional[str] = "expires_at") -> None:
    expiry = f"      ttl_attribute: {ttl}\n" if ttl else ""
    for env in REVIEWED:
        edit(settings_file(root, env), "sceptre_user_data:\n",
             "sceptre_user_data:\n  collections:\n    data:\n"
             f"      schema: {RULES_SCHEMA}\n      indexes: {indexes}\n" + expiry)


def add_collection_rules(root: Path) -> None:
    """The shipped collection, data, gains a schema, one index and a TTL, in dev and prod."""
    collection_rules(root, ONE_INDEX)


def move_ttl_attribute(root: Path) -> None:
    """The same collection's expiry moved to another field: reviewed against
    add_collection_rules (BASES)."""
    collection_rules(root, ONE_INDEX, ttl="purge_at")


def remove_ttl_attribute(root: Path) -> None:
    """The same collection's expiry gone again: reviewed against add_collection_rules."""
    collection_rules(root, ONE_INDEX, ttl=None)


def add_two_indexes_by_config(root: Path) -> None:
    """The same through config, with two indexes at once."""
    collection_rules(root, "{by_owner: {attribute: owner}, by_status: {attribute: status}}")


SCENARIOS: dict[str, Callable[[Path], None]] = {
    f.__name__: f for f in (key_schema, memory, rename_table, handler_code, prod_cors,
                            iam_action, add_collection, remove_collection, two_indexes,
                            add_collection_rules, add_two_indexes_by_config,
                            move_ttl_attribute, remove_ttl_attribute)}
# Scenarios reviewed against another scenario's rendering instead of the project's.
BASES = {"remove_collection": "add_collection", "move_ttl_attribute": "add_collection_rules",
         "remove_ttl_attribute": "add_collection_rules"}
# The scenarios that create more than one index on a kept table in one update.
GSI_LIMITED = {"two_indexes", "add_two_indexes_by_config"}
# The scenarios that move or remove a kept table's TTL.
TTL_CHANGED = {"move_ttl_attribute", "remove_ttl_attribute"}


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = git_project(tmp_path_factory.mktemp("repo"))
    others = sorted(p.name for p in (root / "config").iterdir()
                    if (p / "api.yaml").exists() and p.name not in REVIEWED)
    if others:
        git(root, "rm", "-r", "-q", *(f"config/{name}" for name in others))
        commit(root, "the reviewed environments only")
    return root


@pytest.fixture(scope="module")
def renderings(repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The base's and each scenario's rendering, by name."""
    heads = {}
    for name, change in SCENARIOS.items():
        heads[name] = tmp_path_factory.mktemp(name) / "project"
        shutil.copytree(repo, heads[name], ignore=shutil.ignore_patterns(".git"))
        change(heads[name])
    rendered = render_all([Job("base", repo)] + [Job(n, p) for n, p in heads.items()])
    return dict(zip(["base", *heads], rendered))


@pytest.fixture(scope="module")
def reviews(renderings: dict[str, dict]) -> dict[str, report.Review]:
    return {name: report.build(BASES.get(name, "base"), name,
                               renderings[BASES.get(name, "base")], renderings[name])
            for name in SCENARIOS}


def changed(review: report.Review, stack: str) -> dict[str, ResourceChange]:
    return {c.logical_id: c for s in review.stacks if s.name == stack for c in s.resources}


def changed_stacks(review: report.Review) -> set[str]:
    return {s.name for s in review.changed}


def paths(change: ResourceChange) -> set[str]:
    return {".".join(str(p) for p in path) for path, _, _ in change.changes}


def test_key_schema_change_replaces_the_table_with_data_loss(reviews):
    review = reviews["key_schema"]
    for env in ("dev", "prod"):
        table = changed(review, f"{env}/api")["DataTable"]
        assert table.action == "replace" and table.data_loss == "DATA LOSS"
        assert "Properties.KeySchema.0.AttributeName" in paths(table)
    assert report.failures(review, ["replacement"])
    out = text.render(review)
    assert "DataTable (AWS::DynamoDB::Table) REPLACE *** DATA LOSS ***" in out


def test_memory_change_is_an_in_place_update_of_dev_only(reviews):
    review = reviews["memory"]
    assert changed_stacks(review) == {"dev/api"}
    function = changed(review, "dev/api")["ApiFunction"]
    assert function.action == "update" and not function.data_loss
    assert [(p, new) for p, _, new in function.changes if p[-1] == "MemorySize"] == [
        (("Properties", "MemorySize"), 512)]
    assert not report.failures(review, ["replacement", "destroy"])


def test_renamed_table_is_a_destroy_and_a_create_said_plainly(reviews):
    review = reviews["rename_table"]
    dev = changed(review, "dev/api")
    assert dev["DataTable"].action == "destroy" and dev["DataTable"].data_loss == "DATA LOSS"
    assert dev["ItemsTable"].action == "add"
    assert "DataTable would be DELETED and a new table created" in text.render(review)
    prod = changed(review, "prod/api")  # retained in prod: the old table stays, unmanaged
    assert prod["DataTable"].action == "orphan" and prod["ItemsTable"].action == "add"
    assert report.failures(review, ["destroy"])


def test_handler_code_change_changes_only_the_code_and_published_version(reviews):
    review = reviews["handler_code"]
    assert changed_stacks(review) == {"dev/api", "prod/api"}
    for env in ("dev", "prod"):
        changes = changed(review, f"{env}/api")
        assert "Properties.Code.S3Key" in paths(changes["ApiFunction"])
        versions = {c.logical_id for c in changes.values() if c.type == "AWS::Lambda::Version"}
        for change in changes.values():
            if change.type == "AWS::Lambda::Version":
                assert change.action in ("add", "destroy")
                continue
            # Anything else changes only its code or its pointer to the published version.
            assert change.action == "update", change
            for path, old, new in change.changes:
                assert path[:2] == ("Properties", "Code") or any(
                    v in f"{old} {new}" for v in versions), (change.logical_id, path)
    prod = changed(review, "prod/api").values()
    assert {c.action for c in prod if c.type == "AWS::Lambda::Version"} == {"add", "destroy"}
    assert any(c.type == "AWS::Lambda::Alias" for c in prod)
    # The pre-traffic check's grant follows the version under test: the same grant.
    assert not any(s.security for s in review.stacks)
    assert not report.failures(review, ["replacement", "destroy"])


def test_prod_cors_origin_change_touches_prod_only_and_is_a_security_change(reviews):
    review = reviews["prod_cors"]
    assert changed_stacks(review) == {"prod/api"}
    (prod,) = review.changed
    cors = [s for s in prod.security if s.kind == "CORS"]
    assert cors and all("https://www.example.com" in s.detail for s in cors)
    assert report.failures(review, ["security"]) and not report.failures(review, ["replacement"])


def test_added_iam_action_is_a_security_change(reviews):
    review = reviews["iam_action"]
    for env in ("dev", "prod"):
        (stack,) = [s for s in review.stacks if s.name == f"{env}/api"]
        added = [s for s in stack.security if s.sign == "+" and s.kind == "IAM statement"]
        assert added and all("dynamodb:Query" in s.detail for s in added)
        removed = [s for s in stack.security if s.sign == "-"]
        assert removed and not any("dynamodb:Query" in s.detail for s in removed)


# Content-hashed resources: a new logical ID (a create and a delete) whenever the
# function's configuration or the API's definition changes.
SWAPPED = {"AWS::Lambda::Version", "AWS::ApiGateway::Deployment"}


def test_added_collection_adds_its_resources_and_updates_the_rest_in_place(reviews):
    review = reviews["add_collection"]
    assert changed_stacks(review) == {"dev/api", "prod/api"}
    for env in ("dev", "prod"):
        changes = changed(review, f"{env}/api")
        assert "DataTable" not in changes  # the default collection's table is untouched
        added = {i for i, c in changes.items() if c.action == "add" and c.type not in SWAPPED}
        assert "OrdersTable" in added and all(i.startswith("Orders") for i in added), added
        assert changes["OrdersTable"].type == "AWS::DynamoDB::Table"
        updated = {i for i, c in changes.items() if c.action == "update"}
        assert {"ApiFunction", "ApiFunctionRole", "Dashboard", "PagingCompositeAlarm",
                "ApiStage", "ApiFunctionLiveAlias"} <= updated
        assert "Properties.Environment.Variables.COLLECTIONS" in paths(changes["ApiFunction"])
        for change in changes.values():
            assert not change.data_loss, change.logical_id
            if change.type in SWAPPED:  # a swap: one ID destroyed, its successor added
                assert change.action in ("add", "destroy") and change.renamed in changes
            else:
                assert change.action in ("add", "update"), (change.logical_id, change.action)
        (stack,) = [s for s in review.stacks if s.name == f"{env}/api"]
        assert [(path, old) for path, old, _ in stack.outputs] == [(("OrdersTableName",),
                                                                    MISSING)]
        granted = [s for s in stack.security if s.sign == "+" and s.kind == "IAM statement"
                   and s.resource == "ApiFunctionRole"]
        assert granted and all("OrdersTable.Arn" in s.detail for s in granted)
    assert not report.data_losses(review)
    assert not report.failures(review, ["replacement", "destroy"])


def test_removed_collection_destroys_its_table_in_dev_and_orphans_it_in_prod(reviews):
    review = reviews["remove_collection"]
    assert changed_stacks(review) == {"dev/api", "prod/api"}
    dev, prod = changed(review, "dev/api"), changed(review, "prod/api")
    assert dev["OrdersTable"].action == "destroy" and dev["OrdersTable"].data_loss == "DATA LOSS"
    # prod retains data (DeletionPolicy Retain): the table stays, unmanaged.
    assert prod["OrdersTable"].action == "orphan"
    assert prod["OrdersTable"].data_loss == "DATA ORPHANED"
    assert [(s.name, r.logical_id) for s, r in report.data_losses(review)] == [
        ("dev/api", "OrdersTable"), ("prod/api", "OrdersTable")]
    for env, changes in (("dev", dev), ("prod", prod)):
        (stack,) = [s for s in review.stacks if s.name == f"{env}/api"]
        assert [(path, new) for path, _, new in stack.outputs] == [(("OrdersTableName",),
                                                                    MISSING)]
        assert any(f"export serverless-data-{env}-OrdersTableName is removed" in note
                   for note in stack.notes)
        assert "DataTable" not in changes
        assert not [c for c in changes.values() if c.action in ("replace", "may replace")]
        gone = {i for i, c in changes.items() if c.action in ("destroy", "orphan")
                and c.type not in SWAPPED}
        assert gone == {i for i in changes if i.startswith("Orders")}
    assert report.failures(review, ["destroy"]) == ["dev/api OrdersTable: destroy (DATA LOSS)",
                                                    "prod/api OrdersTable: orphan (DATA ORPHANED)"]
    out = text.render(review)
    assert "OrdersTable (AWS::DynamoDB::Table) DESTROY *** DATA LOSS ***" in out
    assert "OrdersTable (AWS::DynamoDB::Table) ORPHAN *** DATA ORPHANED ***" in out


def test_two_indexes_added_to_a_table_at_once_are_over_the_gsi_limit(reviews):
    review = reviews["two_indexes"]
    for env in ("dev", "prod"):
        table = changed(review, f"{env}/api")["DataTable"]
        assert table.action == "update" and not table.data_loss
        assert "(ByOwner, ByCreated)" in table.gsi_limit
        assert "launch with ByOwner added, then again with ByCreated added" in table.gsi_limit
    assert [(s.name, r.logical_id) for s, r in report.gsi_limits(review)] == [
        ("dev/api", "DataTable"), ("prod/api", "DataTable")]
    assert report.failures(review, ["gsi-limit"])
    assert not report.failures(review, ["replacement", "destroy"])
    assert not any(r.gsi_limit for name, reviewed in reviews.items() if name not in GSI_LIMITED
                   for _, r in reviewed.resources())


TABLE = "AWS::DynamoDB::Table"
# What the default collection's rules change on its table, as the resource schema cfn-lint
# ships (cfnlint/data/schemas, what stack-review reads) describes each property's update.
RULE_PROPERTIES = ("AttributeDefinitions", "GlobalSecondaryIndexes", "TimeToLiveSpecification")


def test_the_table_schema_updates_a_collections_rules_in_place():
    """AWS::DynamoDB::Table's schema as cfn-lint ships it: createOnlyProperties are TableName
    and ImportSourceSpecification, conditionalCreateOnlyProperties only KeySchema, so none
    of the properties a collection's rules set replaces the table. Its own words:
    GlobalSecondaryIndexes "You can delete or add one global secondary index without
    interruption. If you do both in the same update [...] the update fails";
    AttributeDefinitions "You can add an AttributeDefinition without interruption. Changing
    the type of an existing AttributeDefinition requires replacement of the table" (the
    rules only add one per index, with the index); TimeToLiveSpecification has no update
    restriction beyond its AttributeName: "To update this property, you must first disable
    TTL and then enable TTL with the new attribute name"."""
    replacing = schemas.create_only(TABLE) + schemas.conditional_create_only(TABLE)
    assert sorted(replacing) == ["/properties/ImportSourceSpecification",
                                 "/properties/KeySchema", "/properties/TableName"]
    assert not [p for p in replacing if p.split("/")[2] in RULE_PROPERTIES]
    table = schemas.schema(TABLE)
    described = {name: " ".join(table["properties"][name].get("description", "").split())
                 for name in RULE_PROPERTIES}
    assert ("You can delete or add one global secondary index without interruption"
            in described["GlobalSecondaryIndexes"])
    assert ("You can add an ``AttributeDefinition`` without interruption"
            in described["AttributeDefinitions"])
    ttl = table["definitions"]["TimeToLiveSpecification"]["properties"]["AttributeName"]
    assert "you must first disable TTL and then enable TTL" in ttl["description"]


def test_a_schema_an_index_and_a_ttl_on_a_kept_collection_update_its_table_in_place(reviews):
    """The shipped `data` collection gains a schema, an index and a TTL through config: its
    table is updated (a global secondary index, its key's AttributeDefinition and a
    TimeToLiveSpecification added), never replaced; the collection's own request models are
    added in place of the shared ones, which go (API Gateway models, no data)."""
    review = reviews["add_collection_rules"]
    assert changed_stacks(review) == {"dev/api", "prod/api"}
    for env in ("dev", "prod"):
        changes = changed(review, f"{env}/api")
        table = changes["DataTable"]
        assert table.action == "update" and table.reasons == [], (table.action, table.reasons)
        assert not table.data_loss and not table.gsi_limit and not table.ttl_change
        assert paths(table) == {f"Properties.{name}" for name in RULE_PROPERTIES}
        assert schemas.replacement(TABLE, table.properties_old, table.properties_new) == ("", [])
        new = table.properties_new
        assert [i["IndexName"] for i in new["GlobalSecondaryIndexes"]] == ["by_owner"]
        assert {"AttributeName": "owner", "AttributeType": "S"} in new["AttributeDefinitions"]
        assert new["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
        for model, shared in (("DataNewItemModel", "NewItemModel"),
                              ("DataItemChangeModel", "ItemChangeModel")):
            assert changes[model].type == "AWS::ApiGateway::Model"
            assert changes[model].action == "add" and changes[model].renamed == shared
            assert changes[shared].action == "destroy"
            assert not impact.is_stateful(changes[shared])
        assert "Properties.Environment.Variables.COLLECTIONS" in paths(changes["ApiFunction"])
        for change in changes.values():
            assert not (change.data_loss or change.gsi_limit or change.ttl_change), \
                change.logical_id
            assert change.action in ("add", "update", "destroy"), (change.logical_id,
                                                                  change.action)
            if change.action == "destroy":
                assert change.type in SWAPPED | {"AWS::ApiGateway::Model"}, change.logical_id
        (stack,) = [s for s in review.stacks if s.name == f"{env}/api"]
        granted = [s.detail for s in stack.security if s.sign == "+"]
        assert len(granted) == 1 and "dynamodb:Query" in granted[0], granted
        assert "${DataTable.Arn}/index/by_owner" in granted[0]
        assert not [s for s in stack.security if s.sign == "-"]
    assert not report.data_losses(review) and not report.gsi_limits(review)
    assert not report.ttl_changes(review)
    assert not report.failures(review, ["replacement", "destroy", "gsi-limit", "ttl-change"])


def test_two_indexes_added_through_config_are_over_the_gsi_limit(reviews):
    """`sceptre generate` cannot refuse them: it does not know what is deployed (a new
    collection's table is created with all its indexes at once, which is fine).
    stack-review, which compares with the base, flags the kept table and says to add
    one index per launch."""
    review = reviews["add_two_indexes_by_config"]
    for env in ("dev", "prod"):
        table = changed(review, f"{env}/api")["DataTable"]
        assert table.action == "update" and not table.data_loss
        assert table.gsi_limit.startswith("creates 2 global secondary indexes "
                                          "(by_owner, by_status) in one update")
        assert table.gsi_limit.endswith("add one index per launch: launch with by_owner "
                                        "added, then again with by_status added (2 launches)")
    assert report.failures(review, ["gsi-limit"]) == [
        f"{env}/api DataTable: {changed(review, f'{env}/api')['DataTable'].gsi_limit}"
        for env in ("dev", "prod")]
    assert not report.failures(review, ["replacement", "destroy"])


def test_an_expiry_moved_to_another_field_through_config_is_a_ttl_change(reviews):
    """DynamoDB turns TTL on for another attribute only once it is off; removing
    ttl_attribute does not turn it off, so the finding gives the command that does."""
    review = reviews["move_ttl_attribute"]
    assert changed_stacks(review) == {"dev/api", "prod/api"}
    for env in ("dev", "prod"):
        table = changed(review, f"{env}/api")["DataTable"]
        assert table.action == "update" and not table.data_loss and not table.gsi_limit
        assert paths(table) == {"Properties.TimeToLiveSpecification.AttributeName"}
        name = table.properties_new["TableName"]
        assert table.ttl_change.startswith("moves TTL from expires_at to purge_at in one "
                                           "update: DynamoDB turns TTL on for another")
        assert (f"update-time-to-live --table-name {name} --time-to-live-specification "
                "Enabled=false,AttributeName=expires_at`") in table.ttl_change
    assert [(s.name, r.logical_id) for s, r in report.ttl_changes(review)] == [
        ("dev/api", "DataTable"), ("prod/api", "DataTable")]
    assert not report.failures(review, ["replacement", "destroy", "gsi-limit"])
    assert not any(r.ttl_change for name, reviewed in reviews.items() if name not in TTL_CHANGED
                   for _, r in reviewed.resources())


def test_an_expiry_removed_through_config_leaves_ttl_on_in_dynamodb(reviews):
    review = reviews["remove_ttl_attribute"]
    for env in ("dev", "prod"):
        table = changed(review, f"{env}/api")["DataTable"]
        assert table.action == "update" and not table.data_loss
        assert paths(table) == {"Properties.TimeToLiveSpecification"}
        assert table.ttl_change.startswith("removes TTL on expires_at: CloudFormation does not "
                                           "turn TTL off")
        assert "Enabled=false,AttributeName=expires_at`" in table.ttl_change
    assert report.failures(review, ["ttl-change"]) == [
        f"{env}/api DataTable: {changed(review, f'{env}/api')['DataTable'].ttl_change}"
        for env in ("dev", "prod")]
    assert "2 TTL CHANGE marker(s)" in report.headline(review)


def test_only_the_default_collection_renders_as_the_shipped_project(renderings):
    """`collections: {data: {}}`, remove_collection's config, is the key's default."""
    assert renderings["remove_collection"] == renderings["base"]


def test_text_fits_100_columns_and_colours_only_when_asked(reviews):
    for review in reviews.values():
        plain = text.render(review)
        assert "\033[" not in plain
        assert max(len(line) for line in plain.splitlines()) <= 100
        coloured = text.render(review, colour=True)
        assert "\033[" in coloured and ANSI.sub("", coloured) == plain


def test_markdown_puts_a_summary_table_per_environment_before_folded_details(reviews):
    out = markdown.render(reviews["key_schema"])
    tables = [out.index(f"### {env}\n\n| Stack |") for env in ("account", "dev", "prod")]
    assert tables == sorted(tables) and max(tables) < out.index("<details>")
    assert "**DATA LOSS**" in out and "`DataTable`" in out and out.count("</details>") == 2


# The CLI, on the git repository itself.

def stack_review(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "stack-review"), *args], cwd=repo, capture_output=True,
                          text=True, env=offline_env(), timeout=300)


@pytest.fixture()
def work_repo(repo: Path, tmp_path: Path) -> Path:
    target = tmp_path / "repo"
    shutil.copytree(repo, target)
    return target


def test_cli_working_tree_key_change_fails_on_replacement(work_repo):
    key_schema(work_repo)  # uncommitted: the working tree is the head
    result = stack_review(work_repo, "--base", "HEAD", "--fail-on", "replacement")
    assert result.returncode == 1, result.stderr
    assert "REPLACE *** DATA LOSS ***" in result.stdout and "\033[" not in result.stdout
    assert "fails on dev/api DataTable: replace" in result.stderr


def test_cli_fails_on_gsi_limit_for_two_indexes_at_once(work_repo):
    two_indexes(work_repo)
    result = stack_review(work_repo, "--base", "HEAD", "--fail-on", "gsi-limit")
    assert result.returncode == 1, result.stderr
    assert "DataTable (AWS::DynamoDB::Table) UPDATE *** GSI LIMIT ***" in result.stdout
    assert [line.split(": creates")[0] for line in result.stderr.splitlines()] == [
        "stack-review: fails on dev/api DataTable", "stack-review: fails on prod/api DataTable"]


def test_cli_passes_rules_added_to_a_kept_collection(work_repo):
    add_collection_rules(work_repo)
    result = stack_review(work_repo, "--base", "HEAD", "--fail-on", "replacement",
                          "--fail-on", "destroy", "--fail-on", "gsi-limit,ttl-change")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stderr == "" and "***" not in result.stdout
    assert result.stdout.count("~ DataTable (AWS::DynamoDB::Table) UPDATE\n") == 2


def _fails_on_data_table_in_both(result: Any, marker: str, finding: str) -> list[str]:
    """The CLI failed on DataTable of dev and prod, marked, one stderr line each."""
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.count(f"DataTable (AWS::DynamoDB::Table) UPDATE *** {marker} ***") == 2
    lines = result.stderr.splitlines()
    assert [line.split(finding)[0] for line in lines] == [
        "stack-review: fails on dev/api DataTable", "stack-review: fails on prod/api DataTable"]
    return lines


def test_cli_fails_on_gsi_limit_for_two_indexes_added_through_config(work_repo):
    add_two_indexes_by_config(work_repo)
    result = stack_review(work_repo, "--base", "HEAD", "--fail-on", "gsi-limit")
    lines = _fails_on_data_table_in_both(result, "GSI LIMIT", ": creates")
    assert all("(by_owner, by_status)" in line and "(2 launches)" in line for line in lines)


def test_cli_fails_on_ttl_change_for_an_expiry_moved_through_config(work_repo):
    add_collection_rules(work_repo)
    commit(work_repo, "a schema, an index and an expiry on data")
    for env in REVIEWED:  # what move_ttl_attribute renders, as an edit of that commit
        edit(settings_file(work_repo, env), "ttl_attribute: expires_at",
             "ttl_attribute: purge_at")
    result = stack_review(work_repo, "--base", "HEAD", "--fail-on", "ttl-change")
    _fails_on_data_table_in_both(result, "TTL CHANGE", ": moves TTL")
    result = stack_review(work_repo, "--base", "HEAD", "--fail-on", "gsi-limit,destroy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_between_two_commits_in_markdown_exits_0_without_fail_on(work_repo):
    memory(work_repo)
    commit(work_repo, "more memory in dev")
    result = stack_review(work_repo, "--base", "HEAD~1", "--head", "HEAD", "--format",
                          "markdown", "--fail-on", "destroy,replacement")
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("## Stack review: `HEAD~1 (")
    assert "`MemorySize`: `256` &rarr; `512`" in result.stdout


def test_cli_bad_revision_exits_2_with_one_line(work_repo):
    result = stack_review(work_repo, "--base", "no-such-revision")
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.splitlines() == [
        f"stack-review: error: unknown revision 'no-such-revision' in {work_repo}"]


def test_cli_render_failure_exits_2_with_the_renderers_message(work_repo):
    edit(settings_file(work_repo, "dev"), "sceptre_user_data:\n",
         "sceptre_user_data:\n  memory_mb: 1\n")
    result = stack_review(work_repo, "--base", "HEAD")
    assert result.returncode == 2 and result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("stack-review: error: working tree: ") and "memory_mb" in line


def test_cli_colours_only_on_a_terminal(work_repo):
    memory(work_repo)
    outputs = {}
    for name, extra in (("tty", {}), ("no_color", {"NO_COLOR": "1"})):
        primary, secondary = pty.openpty()
        with open(secondary, "wb", closefd=True) as terminal:
            process = subprocess.run([str(BIN / "stack-review"), "--base", "HEAD"],
                                     cwd=work_repo, stdout=terminal, stderr=subprocess.PIPE,
                                     env={**offline_env(), **extra}, timeout=300)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            chunks.append(chunk)
        os.close(primary)
        assert process.returncode == 0, process.stderr
        outputs[name] = b"".join(chunks).decode()
    assert "\033[" in outputs["tty"] and "MemorySize: 256 -> 512" in ANSI.sub("", outputs["tty"])
    assert "\033[" not in outputs["no_color"]
