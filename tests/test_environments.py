"""Environments are config: config/ is the one list of environments and stacks, a new
environment is a folder holding what differs, and the region and the name prefix live in
config/ alone."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from data_api_stack import project
from tests.helpers import BIN, ENVIRONMENTS, REGION, REPO, STACKS, commit, copy_env, \
    copy_project, edit, generate, git, git_project, offline_env, resources_of_type, \
    runnable_copy, sceptre, settings

# The keys that wire a stack to its template and its deployment, which an environment
# folder must not repeat (config/config.yaml gives them to every environment's api stack).
WIRING = {"template", "template_path", "template_bucket_name", "template_key_prefix",
          "parameters", "hooks"}


class _AnyTag(yaml.SafeLoader):
    """Reads a Sceptre config file's YAML as data: `!resolver arg` -> ("!resolver", arg)."""


_AnyTag.add_multi_constructor("!", lambda loader, tag, node: (tag, loader.construct_scalar(
    node) if isinstance(node, yaml.ScalarNode) else None))


def _keys(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), Loader=_AnyTag) or {}


def _sceptre_stacks(root: Path = REPO) -> dict[str, str]:
    """Sceptre's own list of the project's stacks: config path -> stack name."""
    out = sceptre("--output", "json", "list", "stacks", ".", cwd=root, env=offline_env()).stdout
    return json.loads(out[out.index("{"):])


def test_the_project_lists_the_stacks_and_names_sceptre_finds():
    listed = _sceptre_stacks()
    assert set(STACKS) == set(listed)
    assert set(ENVIRONMENTS) == {path.split("/")[0] for path in listed
                                 if path.endswith("/api.yaml")}
    assert {"dev", "staging", "prod"} <= set(ENVIRONMENTS)
    for path, name in listed.items():
        env, stack = path.removesuffix(".yaml").split("/", 1)
        assert project.stack(REPO, env, stack).name == name


def test_the_cli_lists_what_config_declares():
    for what, expected in (("environments", ENVIRONMENTS), ("stacks", STACKS)):
        result = subprocess.run([str(BIN / "python"), "-m", "data_api_stack.project", what],
                                cwd=REPO, env=offline_env(), capture_output=True, text=True,
                                timeout=120, check=True)
        assert tuple(result.stdout.split()) == tuple(expected)


@pytest.fixture()
def qa_project(tmp_path: Path) -> Path:
    """A copy of the project with a fourth environment, `qa`: staging's folder copied."""
    root = runnable_copy(tmp_path / "project")
    shutil.copytree(root / "config" / "staging", root / "config" / "qa")
    return root


def test_a_copied_folder_is_rendered_and_linted_by_make_without_naming_it(qa_project):
    # `-o`: the venvs are the repository's (linked), never rebuilt from the copy.
    result = subprocess.run(["make", "-s", "--no-print-directory", "-o", ".venv/.installed",
                             "lint"], cwd=qa_project,
                            env=copy_env(qa_project), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    rendered = qa_project / ".cache" / "rendered"
    assert {"qa-api.json", "qa-artifacts.json"} <= {p.name for p in rendered.iterdir()}
    template = json.loads((rendered / "qa-api.json").read_text())
    assert template["Resources"]["ApiStage"]["Properties"]["StageName"] == "qa"
    stacks = _sceptre_stacks(qa_project)
    assert {p.name.removesuffix(".json") for p in rendered.iterdir()} == {
        path.removesuffix(".yaml").replace("/", "-") for path in stacks}


def test_staging_holds_only_what_differs():
    folder = REPO / "config" / "staging"
    assert sorted(p.name for p in folder.iterdir()) == ["api.yaml", "artifacts.yaml",
                                                        "config.yaml"]
    assert _keys(folder / "api.yaml") == {}, "the api stack takes everything from config/"
    artifacts = _keys(folder / "artifacts.yaml")
    # The bucket stack names its own template and opts out of the api stack's wiring.
    assert artifacts == {"template": {"type": "file", "path": "artifacts.py"},
                         "template_bucket_name": None, "parameters": {}, "hooks": {}}
    group = _keys(folder / "config.yaml")
    assert "sceptre_user_data" in group and not WIRING & set(group)
    # dev takes every default as it is, so its settings are the defaults.
    assert "sceptre_user_data" not in _keys(REPO / "config" / "dev" / "config.yaml")
    defaults = settings("dev")
    same = {k: v for k, v in group["sceptre_user_data"].items() if defaults.get(k) == v}
    assert not same, f"staging repeats defaults: {same}"


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_an_environments_settings_are_the_defaults_with_its_own_over_them(env):
    """What Sceptre hands the templates is config/config.yaml's settings with the folder's
    written over them key by key: read here from the two files themselves."""
    root = yaml.load(re.sub(r"\{\{[^}]*\}\}", "X", (REPO / "config" / "config.yaml")
                            .read_text()), Loader=_AnyTag)["sceptre_user_data"]
    own = _keys(REPO / "config" / env / "config.yaml").get("sceptre_user_data") or {}
    resolved = settings(env)
    assert set(resolved) == set(root) | set(own)
    for key, value in {**root, **own}.items():
        if key not in ("environment", "code_key"):  # the folder's name; the code's hash
            assert resolved[key] == value, key
    assert resolved["environment"] == env
    assert resolved["code_key"].startswith("lambda/api-") and resolved["code_key"].endswith(
        ".zip")


@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_the_artifacts_stack_runs_none_of_the_api_stacks_wiring(env):
    """As Sceptre will run it: no hook, no parameter, its template inline (the api stack's
    template bucket is this stack's own bucket), and the api stack depends on it."""
    artifacts = project.sceptre_stack(REPO, f"{env}/artifacts.yaml")
    assert artifacts.hooks == {} and artifacts.parameters == {}
    assert artifacts.config.get("template_bucket_name") is None
    assert artifacts.template_handler_config == {"type": "file", "path": "artifacts.py"}
    api = project.sceptre_stack(REPO, f"{env}/api.yaml")
    assert [d.name for d in api.dependencies] == [f"{env}/artifacts"]
    assert api.template_handler_config == {"type": "file", "path": "api.py"}
    assert set(api.hooks) >= {"before_create", "before_update", "before_delete"}


def test_a_config_sceptre_cannot_read_is_one_line(tmp_path):
    """A folder whose api stack has no artifacts stack, or whose settings are not a
    mapping: the tools that read config/ say which file and why, in one line."""
    root = copy_project(tmp_path)
    (root / "config" / "lonely").mkdir()
    shutil.copy(root / "config" / "staging" / "api.yaml", root / "config" / "lonely")
    shutil.copytree(root / "config" / "staging", root / "config" / "listed")
    (root / "config" / "listed" / "config.yaml").write_text("sceptre_user_data: [1]\n")
    for what, args in (("(lonely|listed)", ["-m", "data_api_stack.project", "regions"]),
                       ("lonely", ["-m", "data_api_stack.openapi_cli", "--env", "lonely",
                                   "--offline"]),
                       ("listed", ["-m", "data_api_stack.openapi_cli", "--env", "listed",
                                   "--offline"])):
        result = subprocess.run([str(BIN / "python"), *args], cwd=root, env=copy_env(root),
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 1, result.stdout + result.stderr
        (line,) = result.stderr.splitlines()
        assert re.match(f"error: config/{what}/api.yaml: ", line), line


def test_no_environment_folder_repeats_the_api_stacks_wiring():
    for env in ENVIRONMENTS:
        assert not WIRING & set(_keys(REPO / "config" / env / "config.yaml")), env
        assert not WIRING & set(_keys(REPO / "config" / env / "api.yaml")), env


def test_staging_renders_as_its_settings_say():
    wanted = settings("staging")
    template = generate("staging/api.yaml")
    resources = template["Resources"]
    assert resources["ApiStage"]["Properties"]["StageName"] == "staging"
    assert resources["DataTable"]["Properties"]["TableName"] == \
        f"{wanted['name_prefix']}-staging-items"
    method = resources["ApiStage"]["Properties"]["MethodSettings"][0]
    assert (method["ThrottlingRateLimit"], method["ThrottlingBurstLimit"]) == (
        wanted["throttle_rate_limit"], wanted["throttle_burst_limit"])
    assert resources_of_type(template, "AWS::WAFv2::WebACL")
    assert resources_of_type(template, "AWS::CodeDeploy::DeploymentGroup")
    assert resources["ApiFunction"]["Properties"]["SnapStart"] == {
        "ApplyOn": "PublishedVersions"}
    assert all(r["DeletionPolicy"] == "Delete" for r in resources_of_type(
        template, "AWS::DynamoDB::Table").values()), "staging keeps nothing"
    artifacts = generate("staging/artifacts.yaml")
    assert artifacts["Outputs"]["BucketName"]["Export"]["Name"] == \
        f"{wanted['name_prefix']}-staging-ArtifactBucket"


def test_adding_an_environment_changes_nothing_in_the_others(tmp_path):
    """The review of adding staging's folder: its two stacks are new, and every stack of
    every other environment (and the account's) has no change at all."""
    root = git_project(tmp_path / "repo")
    git(root, "rm", "-r", "-q", "config/staging")
    commit(root, "no staging")
    shutil.copytree(REPO / "config" / "staging", root / "config" / "staging")
    result = subprocess.run([str(BIN / "stack-review"), "--base", "HEAD", "--fail-on",
                             "replacement,destroy,stack-policy"], cwd=root, env=offline_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = [line for line in result.stdout.splitlines() if re.match(r"^[\w-]+/[\w.-]+", line)]
    others = [line for line in lines if not line.startswith("staging/")]
    assert others and all(line.endswith(": no changes") for line in others), result.stdout
    assert {line.split(":")[0] for line in lines if line.startswith("staging/")} == {
        "staging/api (new stack)", "staging/artifacts (new stack)"}, result.stdout


def test_the_region_is_written_in_config_only():
    """No code, Makefile or config but config/config.yaml names the region: the local
    tooling, the bench, the Makefile and the tests read it from config/ through Sceptre."""
    region = project.region(REPO, "dev")
    assert region == REGION
    typed = []
    for folder in ("templates", "hooks", "handlers", "local", "tools", "bench", "config"):
        for path in (REPO / folder).rglob("*"):
            if path.suffix in (".py", ".yaml", ".yml", ".toml") and path.is_file() \
                    and "__pycache__" not in path.parts and region in path.read_text():
                typed.append(str(path.relative_to(REPO)))
    for path in ("Makefile", "pyproject.toml", ".ci/run"):
        if (REPO / path).exists() and region in (REPO / path).read_text():
            typed.append(path)
    assert typed == ["config/config.yaml"]


def test_the_name_prefix_comes_from_config(tmp_path):
    """Every physical name follows config/config.yaml's name_prefix: changed there, no
    table, function or export of the old prefix is left."""
    root = copy_project(tmp_path)
    old = settings("dev")["name_prefix"]
    edit(root / "config" / "config.yaml", f"name_prefix: {old}\n", "name_prefix: acme-data\n")
    text = json.dumps(generate("dev/api.yaml", cwd=root))
    assert f'"{old}-dev-' not in text and '"acme-data-dev-items"' in text
    assert "acme-data-dev-ArtifactBucket" in json.dumps(generate("dev/artifacts.yaml", cwd=root))
