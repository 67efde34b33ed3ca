"""Where a hook or resolver argument points: a folder relative to the project."""

from __future__ import annotations

from pathlib import Path
from typing import Any

DEFAULT_SOURCE = "handlers"


def source_folder(argument: Any, project_path: str, error: type[Exception]) -> Path:
    """Return the absolute source folder, or raise `error` quoting a bad argument."""
    if argument is None:
        argument = DEFAULT_SOURCE
    if not isinstance(argument, str) or not argument.strip() or Path(argument).is_absolute():
        raise error(f"expected a folder relative to the project, like {DEFAULT_SOURCE!r}; "
                    f"you gave {argument!r}")
    return Path(project_path) / argument
