"""A stack launched from commit 6f6548d upgrades in place to the current tree.

A temporary git repository holds both revisions: its first commit is the project as of
6f6548d, its second the project as it is now. The real `stack-review` CLI compares them
with the shipped config, for every environment, under `--fail-on replacement --fail-on
destroy`, and its text report is read stack by stack: in dev and prod, api and artifacts
alike, no resource is replaced, destroyed or orphaned and nothing is marked DATA LOSS.
The only resources that come and go are the content-hashed ones a release swaps (the
Lambda Version and the API Gateway Deployment), what is new (each collection's own
rights: Cognito groups) and the per-method invoke permissions, retired for one
permission of the whole stage (stateless: API Gateway may invoke the function
throughout, the new one is created before the old ones go); everything else is updated
in place.

A third commit renames the table's logical ID, and the same check then fails, naming
the table in dev and in prod: it can tell an upgrade that keeps the data from one that
does not.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import tarfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from data_api_stack import ids
from tests.helpers import BIN, REPO, REVISION_PARTS, commit, copy_project, edit, git, offline_env

LAUNCHED = "6f6548d"  # the revision a deployed stack may still run
FAIL_ON = ("--fail-on", "replacement", "--fail-on", "destroy")
# Every stack an environment deploys, and the environments that must be reviewed.
ENVIRONMENT_STACKS = {env: (f"{env}/api", f"{env}/artifacts") for env in ("dev", "prod")}
# Resources whose logical ID is a hash of their content: a release replaces the old one by
# a new one under a new ID (one destroyed, one added), by design and without data.
SWAPPED = {"AWS::Lambda::Version": ids.FUNCTION_VERSION_PREFIX,
           "AWS::ApiGateway::Deployment": ids.DEPLOYMENT_PREFIX}
# Added since LAUNCHED, nothing of the launched stack in them: each collection's own
# rights, and the stage's one invoke permission.
ADDED = ("AWS::Cognito::UserPoolGroup", "AWS::Lambda::Permission")
# New since LAUNCHED, by logical ID: the Idempotency-Key records' table.
ADDED_IDS = (ids.IDEMPOTENCY_TABLE,)
# Retired since LAUNCHED: the per-method invoke permissions (one per method and path),
# which the stage's one permission (ids.API_INVOKE_PERMISSION) replaces.
RETIRED = ("AWS::Lambda::Permission",)

# The text report (tools/stack_review/text.py): one `== env ===` rule per environment,
# one line per stack (`dev/api: 1 add, 12 update`, or `dev/api: no changes`), and per
# changed resource `  ~ LogicalId (AWS::Type) UPDATE`, with ` *** DATA LOSS ***` (or
# another marker) after the action; a header too long for the line goes on over the
# next lines, indented by 6.
ENVIRONMENT_RULE = re.compile(r"^== (?P<env>\S+) =+$")
STACK_LINE = re.compile(r"^(?P<stack>[\w.-]+/[\w.-]+)"
                        r"(?P<status> \(new stack\)| \(stack removed from config/\))?"
                        r": (?P<summary>.+)$")
RESOURCE_START = re.compile(r"^  [-+~] \S")
RESOURCE = re.compile(r"^[-+~] (?P<id>\S+) \((?P<type>[\w:]+)\) "
                      r"(?P<action>ADD|UPDATE|MAY REPLACE|REPLACE|DESTROY|ORPHAN)"
                      r"(?: \*\*\* (?P<marker>.+) \*\*\*)?$")


@dataclass
class Resource:
    logical_id: str
    type: str
    action: str  # as printed: ADD, UPDATE, MAY REPLACE, REPLACE, DESTROY, ORPHAN
    markers: list[str]  # "DATA LOSS", "POSSIBLE DATA LOSS", "DATA ORPHANED", "STACK POLICY"


@dataclass
class Stack:
    environment: str
    status: str  # "", "new stack", "stack removed from config/"
    summary: Counter[str]  # the stack line's own count of resources per action
    resources: list[Resource] = field(default_factory=list)


def parse_report(out: str) -> dict[str, Stack]:
    """Every stack of a text report, with its resources as printed."""
    stacks: dict[str, Stack] = {}
    environment, current = "", None
    lines = out.splitlines()
    for number, line in enumerate(lines):
        if rule := ENVIRONMENT_RULE.match(line):
            environment, current = rule["env"], None
        elif stack := STACK_LINE.match(line):
            summary: Counter[str] = Counter()
            if stack["summary"] not in ("no changes", "no resource changes"):
                for part in stack["summary"].split(", "):
                    count, action = part.split(" ", 1)
                    summary[action.upper()] = int(count)
            current = stacks[stack["stack"]] = Stack(
                environment, (stack["status"] or "").strip(" ()"), summary)
        elif current is not None and RESOURCE_START.match(line):
            header = line.strip()
            for more in lines[number + 1:number + 4]:
                if RESOURCE.match(header) or not more.startswith(" " * 6):
                    break
                header += " " + more.strip()
            resource = RESOURCE.match(header)
            assert resource, f"a resource the report does not give an action: {header!r}"
            current.resources.append(Resource(resource["id"], resource["type"],
                                              resource["action"],
                                              (resource["marker"] or "").split(" *** *** ")
                                              if resource["marker"] else []))
    for name, parsed in stacks.items():  # every resource the stack line counts was read
        assert Counter(r.action for r in parsed.resources) == parsed.summary, (
            name, parsed.summary, parsed.resources)
    return stacks


def upgrade_blockers(stacks: dict[str, Stack]) -> list[str]:
    """What keeps the stacks from upgrading in place: a stack that comes or goes, any
    data marker, any action other than an in-place update, except the hashed resources
    a release swaps one for one, the new rights (ADDED) and the retired per-method
    invoke permissions (RETIRED) once the stage's one is added."""
    found = []
    for name, stack in stacks.items():
        if stack.status:
            found.append(f"{name}: {stack.status}")
        swaps: Counter[tuple[str, str]] = Counter()
        for r in stack.resources:
            found += [f"{name} {r.logical_id}: {marker}" for marker in r.markers]
            if r.action == "UPDATE" or (r.action == "ADD" and (
                    r.type in ADDED or r.logical_id in ADDED_IDS)) or (
                    r.action == "DESTROY" and r.type in RETIRED):
                continue
            if r.action in ("ADD", "DESTROY") and r.type in SWAPPED and \
                    r.logical_id.startswith(SWAPPED[r.type]):
                swaps[r.type, r.action] += 1
                continue
            found.append(f"{name} {r.logical_id} ({r.type}): {r.action}")
        retired = [r for r in stack.resources if r.action == "DESTROY" and r.type in RETIRED]
        if retired and not any(r.logical_id == ids.API_INVOKE_PERMISSION and r.action == "ADD"
                               for r in stack.resources):
            found.append(f"{name}: invoke permissions destroyed, none added in their place")
        for kind in SWAPPED:
            if swaps[kind, "ADD"] != swaps[kind, "DESTROY"]:
                found.append(f"{name} {kind}: {swaps[kind, 'DESTROY']} destroyed, "
                             f"{swaps[kind, 'ADD']} added (a release swaps one for one)")
    return found


def stack_review(repo: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "stack-review"), *args], cwd=repo, capture_output=True,
                          text=True, env=offline_env(), timeout=300)


@dataclass(frozen=True)
class Revisions:
    repo: Path
    launched: str  # the project as of LAUNCHED
    current: str  # the project as it is now
    renamed_table: str  # the current project with the table under another logical ID


@pytest.fixture(scope="module")
def revisions(tmp_path_factory: pytest.TempPathFactory) -> Revisions:
    found = subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{LAUNCHED}^{{commit}}"],
                           cwd=REPO, capture_output=True, text=True)
    if found.returncode != 0:
        pytest.fail(f"commit {LAUNCHED} (the launched revision this module upgrades from) is "
                    f"not in the git history of {REPO}: a shallow clone? Fetch the full "
                    f"history (git fetch --unshallow) and run again.", pytrace=False)
    archive = subprocess.run(["git", "archive", "--format=tar", found.stdout.strip()],
                             cwd=REPO, capture_output=True, check=True).stdout
    repo = tmp_path_factory.mktemp("upgrade") / "repo"
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(repo, filter="data")
    git(repo, "init", "-q", "-b", "main")
    commit(repo, f"the project as of {LAUNCHED}")
    for path in repo.iterdir():  # the next commit is the project as it is, nothing else
        if path.is_dir() and path.name != ".git":
            shutil.rmtree(path)
        elif not path.is_dir():
            path.unlink()
    copy_project(repo, REVISION_PARTS)
    commit(repo, "the project as it is")
    edit(repo / "templates" / "data_api_stack" / "ids.py", 'TABLE = "DataTable"',
         'TABLE = "ItemsTable"')
    commit(repo, "the table under another logical ID")
    launched, current, renamed = (git(repo, "rev-parse", f"HEAD~{n}").strip()
                                  for n in (2, 1, 0))
    return Revisions(repo, launched, current, renamed)


@pytest.fixture(scope="module")
def upgrade(revisions: Revisions) -> subprocess.CompletedProcess:
    return stack_review(revisions.repo, "--base", revisions.launched, "--head",
                        revisions.current, *FAIL_ON)


def test_the_review_compares_the_launched_revision_with_the_current_tree(revisions, upgrade):
    assert upgrade.returncode == 0, upgrade.stdout + upgrade.stderr
    assert upgrade.stderr == ""
    header = " ".join(upgrade.stdout.split("\n\n")[0].split())  # as wrapped to 100 columns
    assert header.startswith(f"stack-review: {revisions.launched} ({revisions.launched[:8]}) "
                             f"-> {revisions.current} ({revisions.current[:8]}) ")


def test_dev_and_prod_are_both_reviewed(upgrade):
    stacks = parse_report(upgrade.stdout)
    for env, names in ENVIRONMENT_STACKS.items():
        for name in names:
            assert name in stacks, f"{name} is not in the review:\n{upgrade.stdout}"
            assert stacks[name].environment == env
            assert stacks[name].status == "", (name, stacks[name].status)
    # The API stacks do change (new code at least), so their resources were read.
    assert all(stacks[f"{env}/api"].resources for env in ENVIRONMENT_STACKS)


def test_every_stack_upgrades_in_place_without_data_loss(upgrade):
    assert "DATA LOSS" not in upgrade.stdout and "***" not in upgrade.stdout
    stacks = parse_report(upgrade.stdout)
    # An environment added to config/ since LAUNCHED (staging) has nothing launched to
    # upgrade: its stacks are new, and the others are what must upgrade in place.
    launched = {*ENVIRONMENT_STACKS, "account"}
    added = {name: stack for name, stack in stacks.items()
             if name.split("/")[0] not in launched}
    assert all(stack.status == "new stack" for stack in added.values()), added
    assert upgrade_blockers({name: stack for name, stack in stacks.items()
                             if name not in added}) == []


def test_the_check_fails_when_the_table_would_lose_its_data(revisions):
    renamed = stack_review(revisions.repo, "--base", revisions.launched, "--head",
                           revisions.renamed_table, *FAIL_ON)
    assert renamed.returncode == 1, renamed.stdout + renamed.stderr
    # dev deletes its table; prod retains it, unmanaged, and starts an empty one.
    assert "stack-review: fails on dev/api DataTable: destroy (DATA LOSS)" in renamed.stderr
    assert ("stack-review: fails on prod/api DataTable: orphan (DATA ORPHANED)"
            in renamed.stderr)
    stacks = parse_report(renamed.stdout)
    blockers = upgrade_blockers(stacks)
    for env, action, marker in (("dev", "DESTROY", "DATA LOSS"),
                                ("prod", "ORPHAN", "DATA ORPHANED")):
        assert f"{env}/api DataTable: {marker}" in blockers
        assert f"{env}/api DataTable (AWS::DynamoDB::Table): {action}" in blockers
        assert f"{env}/api ItemsTable (AWS::DynamoDB::Table): ADD" in blockers
    # Only prod's updates run under the stack policy: its launch would be refused.
    assert "prod/api DataTable: STACK POLICY" in blockers
    assert "dev/api DataTable: STACK POLICY" not in blockers
