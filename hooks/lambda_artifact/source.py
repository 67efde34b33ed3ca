"""The hook's and resolver's shared argument and build: one key for one source tree.

Argument forms: `handlers`, or `{source: handlers, architecture: arm64}`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from lambda_artifact.build import Artifact, build_artifact
from lambda_artifact.vendor import PLATFORMS, vendor

DEFAULT_SOURCE = "handlers"
DEFAULT_ARCHITECTURE = "arm64"


def stack_architecture(stack_config: dict) -> str:
    """The function's architecture from the stack's raw sceptre_user_data (not resolved:
    the resolver lives there too), so vendored wheels match the function by default."""
    value = (stack_config.get("sceptre_user_data") or {}).get("architecture")
    return value if isinstance(value, str) and value in PLATFORMS else DEFAULT_ARCHITECTURE


def parse_argument(argument: Any, project_path: str, error: type[Exception],
                   default_architecture: str = DEFAULT_ARCHITECTURE) -> tuple[Path, str]:
    """(absolute source folder, architecture), or raise `error` quoting the bad argument."""
    source, architecture = argument, default_architecture
    if argument is None:
        source = DEFAULT_SOURCE
    elif isinstance(argument, dict):
        unknown = set(argument) - {"source", "architecture"}
        source = argument.get("source", DEFAULT_SOURCE)
        architecture = argument.get("architecture", default_architecture)
        if unknown or architecture not in PLATFORMS:
            raise error(f"expected {{source: <folder>, architecture: arm64|x86_64}}; "
                        f"you gave {argument!r}")
    if not isinstance(source, str) or not source.strip() or Path(source).is_absolute():
        raise error(f"expected a folder relative to the project, like {DEFAULT_SOURCE!r}; "
                    f"you gave {argument!r}")
    return Path(project_path) / source, architecture


def package(folder: Path, architecture: str) -> Artifact:
    """The artifact for `folder`: its files plus any vendored packages."""
    return build_artifact(folder, vendor(folder, architecture) if folder.is_dir() else None)
