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


def parse_argument(argument: Any, project_path: str,
                   error: type[Exception]) -> tuple[Path, str]:
    """(absolute source folder, architecture), or raise `error` quoting the bad argument."""
    source, architecture = argument, DEFAULT_ARCHITECTURE
    if argument is None:
        source = DEFAULT_SOURCE
    elif isinstance(argument, dict):
        unknown = set(argument) - {"source", "architecture"}
        source = argument.get("source", DEFAULT_SOURCE)
        architecture = argument.get("architecture", DEFAULT_ARCHITECTURE)
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
