"""The project as config/ declares it: its environments and stack configs (found by
Sceptre's own rule), and each stack's name, region and settings (asked of Sceptre).
Nothing is listed by hand: the Makefile, the tests, the bench, `make up`, `make token`
and `make openapi` ask here, and a new folder under config/ is one more environment
everywhere.

An environment is a folder of config/ holding an `api.yaml` (config/account/ holds the
account-wide stack only). Sceptre is imported on first use: the template handlers never
import this module.

    python -m data_api_stack.project environments|stacks|regions
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

CONFIG = "config"
API_STACK = "api"


class ProjectError(Exception):
    """config/ cannot be read as Sceptre reads it; the message names the file and why."""


@dataclass(frozen=True)
class ProjectStack:
    """One stack config as Sceptre reads it (nothing resolved: reading needs no AWS)."""

    name: str  # the CloudFormation stack name Sceptre gives it
    region: str


def stack_paths(project: Path) -> tuple[str, ...]:
    """Every stack config under config/ ("dev/api.yaml", ...), sorted: the files Sceptre
    builds stacks from, found as it finds them (every *.yaml but config.*, symbolic links
    followed; sceptre/config/reader.py, construct_stacks)."""
    root = project / CONFIG
    return tuple(sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, files in os.walk(root, followlinks=True)
        for name in files if name.endswith(".yaml") and not name.startswith("config.")))


def environments(project: Path) -> tuple[str, ...]:
    """The folders of config/ holding an API stack, sorted."""
    return tuple(sorted(path.split("/")[0] for path in stack_paths(project)
                        if path.count("/") == 1 and path.endswith(f"/{API_STACK}.yaml")))


def check_environment(project: Path, env: str) -> None:
    """A ProjectError unless `env` is one of config/'s environments (naming them)."""
    found = environments(project)
    if env not in found:
        raise ProjectError(f"no environment {env!r} (no config/{env}/{API_STACK}.yaml; "
                           f"environments: {', '.join(found)})")


def _context(project: Path, command_path: str) -> Any:
    from sceptre.context import SceptreContext

    return SceptreContext(project_path=str(project), command_path=command_path)


def _unreadable(path: str, error: Exception) -> ProjectError:
    """Whatever Sceptre raised reading a config (its own errors, YAML's, a resolver's or
    a shape it did not expect), as one line naming the file."""
    kind = "" if isinstance(error, (ProjectError, ValueError)) or \
        type(error).__module__.startswith("sceptre") else f"{type(error).__name__}: "
    return ProjectError(f"config/{path}: {kind}{' '.join(str(error).split())}")


def region(project: Path, env: str) -> str:
    """The AWS region of an environment (config/config.yaml's unless its folder says
    another)."""
    return stack(project, env).region


def sceptre_stack(project: Path, path: str) -> Any:
    """Sceptre's own Stack for config/<path> (its resolvers resolve on first use); a
    config Sceptre cannot read is a ProjectError naming the file."""
    from sceptre.plan.plan import SceptrePlan

    try:
        plan = SceptrePlan(_context(project, path))
    except Exception as error:  # noqa: BLE001 (user config through Sceptre: one line)
        raise _unreadable(path, error) from None
    return next(iter(plan.command_stacks))  # (its repr would resolve launch-time values)


@functools.lru_cache(maxsize=None)
def stack(project: Path, env: str, name: str = API_STACK) -> ProjectStack:
    """config/<env>/<name>.yaml: its CloudFormation name, region, profile and role."""
    found = sceptre_stack(project, f"{env}/{name}.yaml")
    return ProjectStack(found.external_name, found.region)


def user_data(found: Any) -> dict[str, Any]:
    """A Sceptre stack's sceptre_user_data, resolved as `sceptre generate` resolves it
    (config/config.yaml's defaults with the folder's changes merged over them)."""
    path = f"{found.name}.yaml"
    try:
        data = found.sceptre_user_data  # resolvers run here (e.g. !lambda_artifact_key)
    except Exception as error:  # noqa: BLE001 (user config through Sceptre: one line)
        raise _unreadable(path, error) from None
    if not isinstance(data, dict):
        raise ProjectError(f"config/{path}: sceptre_user_data: expected a mapping, "
                           f"got {data!r}")
    return dict(data)


def settings(project: Path, env: str) -> dict[str, Any]:
    """The environment's settings: its API stack's sceptre_user_data (user_data)."""
    return user_data(sceptre_stack(project, f"{env}/{API_STACK}.yaml"))


def regions(project: Path) -> tuple[str, ...]:
    """Every region a stack of config/ is launched in, sorted (what cfn-lint checks for)."""
    return tuple(sorted({stack(project, *path.removesuffix(".yaml").split("/", 1)).region
                         for path in stack_paths(project) if "/" in path}))


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description="What config/ declares, one per line.")
    parser.add_argument("what", choices=("environments", "stacks", "regions"))
    parser.add_argument("--project", default=".", help="the Sceptre project folder")
    args = parser.parse_args(argv)
    project = Path(args.project).resolve()
    try:
        listed = {"environments": environments, "stacks": stack_paths,
                  "regions": regions}[args.what](project)
    except ProjectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not listed:
        print(f"error: no {args.what} under {project / CONFIG}", file=sys.stderr)
        return 1
    print("\n".join(listed))
    return 0


if __name__ == "__main__":
    sys.exit(main())
