"""A git revision of the project as a folder: `git archive` into a temporary directory.

Without a revision the working tree itself is used, uncommitted changes included.
"""

from __future__ import annotations

import subprocess
import tarfile
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional


class RevisionError(Exception):
    """A revision that cannot be read; the message is one line."""


def _git(project: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=project, capture_output=True, text=True)
    if result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines()
        raise RevisionError(lines[0] if lines else f"git {' '.join(args)} failed")
    return result.stdout.strip()


def resolve(project: Path, revision: str) -> str:
    """The commit a revision names, or RevisionError("unknown revision ...")."""
    _git(project, "rev-parse", "--git-dir")  # "fatal: not a git repository ..." first
    try:
        return _git(project, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    except RevisionError:
        raise RevisionError(f"unknown revision {revision!r} in {project}") from None


def _extract(project: Path, commit: str, target: Path) -> None:
    """The project folder as of `commit` (the folder may be below the repository root)."""
    prefix = _git(project, "rev-parse", "--show-prefix")
    process = subprocess.Popen(["git", "archive", "--format=tar", f"{commit}:{prefix}"],
                               cwd=project, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None
    with tarfile.open(fileobj=process.stdout, mode="r|") as archive:
        archive.extractall(target, filter="data")
    error = process.stderr.read().decode() if process.stderr else ""
    if process.wait() != 0:
        raise RevisionError(error.strip().splitlines()[0] if error.strip() else
                            f"git archive {commit} failed")


@contextmanager
def checkout(project: Path, revision: Optional[str]) -> Iterator[Path]:
    """The project as of `revision` (None: the working tree, as it is now)."""
    if revision is None:
        yield project
        return
    commit = resolve(project, revision)
    with tempfile.TemporaryDirectory(prefix=f"stack-review-{commit[:8]}-") as tmp:
        _extract(project, commit, Path(tmp))
        yield Path(tmp)
