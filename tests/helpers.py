"""Shared test helpers: running the project's own CLIs, walking templates."""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator

from data_api_stack import project
from localdev.localaws import without_aws
from stack_review.worker import package_dirs, project_parts

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# What config/ declares, as Sceptre reads it: every environment folder and every stack
# config (what the renders, cfn-lint and checkov cover), never a list typed here.
ENVIRONMENTS = project.environments(REPO)
STACKS = project.stack_paths(REPO)
# The region dev's stacks (and the local AWS the end-to-end tests launch them on) use.
REGION = project.region(REPO, "dev")
# The other access-control modes, rendered in-process (dev and prod are both cognito).
AUTH_VARIANTS = {
    "iam": {"auth": "iam", "iam_account_ids": ["111122223333"]},
    "none": {"auth": "none", "allow_anonymous": True},
    "existing-pool": {"cognito_user_pool_arn":
                      "arn:aws:cognito-idp:us-west-2:111122223333:userpool/us-west-2_AbCdEf123"},
}
# Three collections (the default one, one on demand at its own path, one provisioned),
# rendered with each shipped environment's config (tests.helpers.render_collections_variant).
# `orders` as the README's example of a schema, an index and an expiry; `customers`, a
# provisioned table, with an index and no schema.
ORDERS_SCHEMA = {"type": "object", "required": ["customer_id", "total"],
                 "properties": {"customer_id": {"type": "string", "maxLength": 64},
                                "total": {"type": "number", "minimum": 0},
                                "expires_at": {"type": "integer"}}}
COLLECTIONS_VARIANT = {"data": {},
                       "orders": {"path": "/orders", "billing": "on_demand",
                                  "schema": ORDERS_SCHEMA,
                                  "indexes": {"by_customer": {"attribute": "customer_id"}},
                                  "ttl_attribute": "expires_at"},
                       "customers": {"billing": "provisioned",
                                     "indexes": {"by_email": {"attribute": "email"}}}}
# Fifteen collections in one stack: COLLECTIONS_VARIANT's three and twelve more, on
# demand and provisioned in turn (README "Add a collection": one stack holds at least 15).
MANY_COLLECTIONS = {**COLLECTIONS_VARIANT, **{
    f"extra_{n:02}": {"billing": ("on_demand", "provisioned")[n % 2]} for n in range(12)}}


@functools.lru_cache(maxsize=None)
def settings(env: str) -> dict[str, Any]:
    """config/<env>'s settings (sceptre_user_data) as Sceptre resolves them: what a test of
    every environment's template expects of each."""
    return project.settings(REPO, env)


# What config/config.yaml gives every environment and a test's own settings need too.
PROJECT = {"name_prefix": settings("dev")["name_prefix"]}


def offline_env(**extra: str) -> dict[str, str]:
    """Environment with no AWS credentials or config: proves generate is offline."""
    return {**without_aws(), **extra}


SCEPTRE_PARTS = ("config", "templates", "handlers")
# Everything a revision's own code needs: the package roots pyproject.toml names.
REVISION_PARTS = tuple(project_parts(REPO))


def copy_project(root: Path, parts: tuple[str, ...] = SCEPTRE_PARTS) -> Path:
    """What Sceptre needs of the project (config/, templates/, handlers/) under `root`,
    so a test can change a file without touching the working tree."""
    for name in parts:
        if (REPO / name).is_dir():
            shutil.copytree(REPO / name, root / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(REPO / name, root / name)
    return root


# The virtualenvs the Makefile builds: a runnable copy links the repository's own.
VENVS = (".venv", ".venv-localaws", ".venv-checkov", ".venv-contract", ".venv-cdk")


def runnable_copy(root: Path) -> Path:
    """A copy of the project under `root` that runs its Makefile: a revision's parts, the
    Makefile and requirements, and the repository's installed tools (its venvs, linked;
    the copy's own code comes first through copy_env's PYTHONPATH)."""
    copy_project(root, (*REVISION_PARTS, "Makefile",
                        *(p.name for p in REPO.glob("requirements*.txt"))))
    for venv in VENVS:
        (root / venv).symlink_to(REPO / venv)
    return root


def copy_env(root: Path, **extra: str) -> dict[str, str]:
    """offline_env for a process in a copy of the project: its own packages (the import
    roots its pyproject.toml names) before the installed ones."""
    return offline_env(PYTHONPATH=os.pathsep.join(map(str, package_dirs(root))), **extra)


def git_project(root: Path) -> Path:
    """A git repository under `root` holding the project, committed once (one revision)."""
    copy_project(root, REVISION_PARTS)
    git(root, "init", "-q", "-b", "main")
    commit(root, "the project as it is")
    return root


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "-c", "user.name=tests", "-c", "user.email=tests@example.com", "commit", "-q",
        "-m", message)


def edit(path: Path, old: str, new: str) -> None:
    """Replace `old` by `new` in a file; fails when `old` is not there (the project moved
    on and the test needs a new edit, rather than passing without one)."""
    text = path.read_text()
    assert old in text, f"{old!r} is not in {path}"
    path.write_text(text.replace(old, new))


def settings_file(project: Path, env: str) -> Path:
    """config/<env>/config.yaml, where an environment's settings go: under its
    `sceptre_user_data:` (merged over config/config.yaml's), added if absent, so a test
    adds a setting with edit(settings_file(...), "sceptre_user_data:\n", ...)."""
    path = project / "config" / env / "config.yaml"
    text = path.read_text()
    if not re.search(r"^sceptre_user_data:\n", text, re.MULTILINE):
        path.write_text(text.rstrip("\n") + "\nsceptre_user_data:\n")
    return path


def sceptre(*args: str, cwd: Path = REPO, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run([str(BIN / "sceptre"), *args], cwd=cwd, capture_output=True,
                            text=True, env=env or offline_env(), timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"sceptre {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def generate(stack_path: str, cwd: Path = REPO) -> dict[str, Any]:
    """`sceptre --output json generate <stack>`, exactly as a user types it, parsed."""
    out = sceptre("--output", "json", "generate", stack_path, cwd=cwd)
    return json.loads(out.stdout)  # one document: dependencies' templates are not printed


def resources_of_type(template: dict, type_name: str) -> dict[str, dict]:
    return {name: res for name, res in template["Resources"].items() if res["Type"] == type_name}


def arn_like(pattern: str, arn: str) -> bool:
    """IAM's ArnLike, as Lambda applies a permission's SourceArn: `*` any run of
    characters (a `/` too), `?` one."""
    return re.fullmatch(".*".join(".".join(map(re.escape, part.split("?")))
                                  for part in pattern.split("*")), arn) is not None


def walk(value: Any) -> Iterator[Any]:
    """Every nested value of a JSON structure."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)


def render_auth_variant(variant: str) -> str:
    """The dev API template rendered with one of AUTH_VARIANTS, as Sceptre gets it."""
    from data_api_stack import build_template, parse_config

    cfg = parse_config({**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip",
                        **AUTH_VARIANTS[variant]})
    return build_template(cfg).to_json()


@functools.lru_cache(maxsize=None)
def collections_variant_config(env: str) -> Any:
    """config/<env>/api.yaml's StackConfig (read through Sceptre, as `sceptre generate`
    reads it) with COLLECTIONS_VARIANT's collections instead of the config's own."""
    from data_api_stack.collection import parse_collections
    from data_api_stack.openapi_cli import load_environment

    cfg = load_environment(REPO, env).config
    return dataclasses.replace(cfg, collections=parse_collections("collections",
                                                                  COLLECTIONS_VARIANT))


def config_with_collections(env: str, collections: dict, auth: str = "") -> Any:
    """config/<env>/api.yaml's StackConfig with these collections (and another auth
    mode from AUTH_VARIANTS)."""
    from data_api_stack.collection import parse_collections

    cfg = dataclasses.replace(collections_variant_config(env),
                              collections=parse_collections("collections", collections))
    return dataclasses.replace(cfg, **AUTH_VARIANTS[auth]) if auth else cfg


# Services with app clients of their own (`machine_clients`, auth: cognito).
SERVICE_CLIENTS = {"partner": ["orders:read"], "order_service": ["orders:write",
                                                                  "customers:read"]}


@functools.lru_cache(maxsize=None)
def render_many_collections(env: str, auth: str = "") -> str:
    """The API template of config/<env>/api.yaml with MANY_COLLECTIONS (and, in Cognito
    mode, SERVICE_CLIENTS)."""
    from data_api_stack import build_template, render
    from data_api_stack.machine_clients import KEY, parse_machine_clients

    cfg = config_with_collections(env, MANY_COLLECTIONS, auth)
    if cfg.auth == "cognito":
        cfg = dataclasses.replace(cfg, machine_clients=parse_machine_clients(
            KEY, SERVICE_CLIENTS))
    return render.to_json(build_template(cfg))


@functools.lru_cache(maxsize=None)
def render_collections_variant(env: str, auth: str = "") -> str:
    """The API template of collections_variant_config(env); `auth`: another access-control
    mode (AUTH_VARIANTS) instead of the environment's."""
    from data_api_stack import build_template

    cfg = collections_variant_config(env)
    if auth:
        cfg = dataclasses.replace(cfg, **AUTH_VARIANTS[auth])
    return build_template(cfg).to_json()


def json_digits(text: str) -> int:
    """The most digits any number of the JSON text is written with (its coefficient)."""
    found = [0]
    json.loads(text, parse_float=lambda n: found.append(len(Decimal(n).as_tuple().digits)),
               parse_int=lambda n: found.append(len(n.lstrip("-"))))
    return max(found)


def json_depth(value: Any) -> int:
    """How deep a JSON value nests (a scalar: 0)."""
    if isinstance(value, dict):
        return 1 + max(map(json_depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(json_depth, value), default=0)
    return 0
