"""Stacks and environments, as config/ lays them out: `config/<environment>/<stack>.yaml`.

Nothing is listed by hand: the renderer asks Sceptre for every stack of the project, and
the review groups them by their top folder (a stack directly in config/ groups as "-").
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

CONFIG = "config"
STACK_GROUP_CONFIG = "config.yaml"


def environment_of(stack_name: str) -> str:
    return stack_name.split("/", 1)[0] if "/" in stack_name else "-"


def environments(project: Path) -> list[str]:
    """Every folder of config/ holding at least one stack config."""
    root = project / CONFIG
    return sorted(folder.name for folder in root.iterdir() if folder.is_dir() and any(
        path.suffix in (".yaml", ".yml") and path.name != STACK_GROUP_CONFIG
        for path in folder.rglob("*"))) if root.is_dir() else []


def group(stack_names: Iterable[str]) -> dict[str, list[str]]:
    """{environment: [stack names, sorted]}, environments sorted."""
    grouped: dict[str, list[str]] = {}
    for name in sorted(stack_names):
        grouped.setdefault(environment_of(name), []).append(name)
    return dict(sorted(grouped.items()))
