"""The hook's and resolver's shared argument and build: one key for one source tree.

Argument forms: `handlers`, or `{source: handlers, architecture: arm64}`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from data_api_stack.config import RUNTIMES, StackConfig
from lambda_artifact.build import Artifact, build_artifact
from lambda_artifact.vendor import PLATFORMS, vendor

DEFAULT_SOURCE = "handlers"
DEFAULT_ARCHITECTURE = "arm64"


def stack_architecture(stack_config: dict) -> str:
    """The function's architecture from the stack's raw sceptre_user_data (not resolved:
    the resolver lives there too), so vendored wheels match the function by default."""
    value = (stack_config.get("sceptre_user_data") or {}).get("architecture")
    return value if isinstance(value, str) and value in PLATFORMS else DEFAULT_ARCHITECTURE


def stack_python_version(stack_config: dict) -> str:
    """The function runtime's Python ("python3.13" -> "3.13") from the stack's raw
    sceptre_user_data, so vendored wheels are built for the Python that imports them
    (an unknown runtime falls back to the default; the template rejects it anyway)."""
    value = (stack_config.get("sceptre_user_data") or {}).get("runtime")
    runtime = value if isinstance(value, str) and value in RUNTIMES else StackConfig.runtime
    return runtime.removeprefix("python")


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


def package(folder: Path, architecture: str,
            python_version: str = StackConfig.runtime.removeprefix("python")) -> Artifact:
    """The artifact for `folder`: its files plus any packages vendored for the
    function's architecture and Python."""
    vendored = vendor(folder, architecture, python_version=python_version) \
        if folder.is_dir() else None
    return build_artifact(folder, vendored)
