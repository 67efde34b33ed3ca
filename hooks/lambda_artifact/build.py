"""The pure part of packaging: source folder -> deterministic zip -> S3 key.

The hook (upload) and the resolver (key in the template) both call
`build_artifact`, so they cannot disagree about which key a source tree has.
"""

from __future__ import annotations

import hashlib
import io
import json
import stat
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

KEY_PREFIX = "lambda/api-"
# The zip's size budget: the handler, the API contract, the collections' schema validator,
# idempotency and the release checks (~55 KB) with room to grow; a larger zip means
# something unintended got packaged.
SIZE_BUDGET_BYTES = 64 * 1024
# Zip's epoch; any fixed value makes the bytes independent of checkout time.
FIXED_DATE_TIME = (1980, 1, 1, 0, 0, 0)
FILE_MODE = 0o644
EXCLUDED_DIRS = frozenset({"__pycache__", "tests", "test", "node_modules"})
EXCLUDED_SUFFIXES = (".pyc", ".pyo", ".swp", "~")
# The deploy-time dependency list is read by the packager, not by the function.
EXCLUDED_FILES = frozenset({"requirements.txt", ".DS_Store"})


class ArtifactError(ValueError):
    """The source folder cannot be packaged; the message says why."""


@dataclass(frozen=True)
class Artifact:
    data: bytes
    sha256: str  # of the zip's bytes: what S3 verifies on upload, Lambda's CodeSha256
    content_sha256: str  # of the files inside (content_digest): the key
    file_count: int

    @property
    def key(self) -> str:
        return artifact_key(self.content_sha256)


def artifact_key(content_sha256: str) -> str:
    """Content-addressed S3 key: same code, same key; new code, new key."""
    return f"{KEY_PREFIX}{content_sha256}.zip"


def content_digest(entries: list[tuple[str, int, bytes]]) -> str:
    """SHA-256 of what a zip holds: each entry's name, permission bits and bytes, in
    order. Not of the deflated bytes: zlib builds may compress the same input
    differently, and two machines must agree on the key of the same code."""
    digest = hashlib.sha256(b"lambda-artifact-content-v1\n")
    for name, mode, data in entries:
        digest.update(json.dumps([name, mode, len(data)]).encode() + b"\n")
        digest.update(data)
    return digest.hexdigest()


def zip_content_digest(data: bytes) -> str:
    """content_digest of an existing zip (one this module wrote, or any other)."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return content_digest([(info.filename, (info.external_attr >> 16) & 0o777,
                                archive.read(info)) for info in archive.infolist()])


def _included(relative: Path) -> bool:
    parts = relative.parts
    if any(part in EXCLUDED_DIRS or part.startswith(".") for part in parts):
        return False
    return relative.name not in EXCLUDED_FILES and not relative.name.endswith(EXCLUDED_SUFFIXES)


def source_files(source: Path) -> list[tuple[str, Path]]:
    """(archive name, path) of every file to package, sorted by archive name."""
    if not source.is_dir():
        raise ArtifactError(f"source folder {str(source)!r} does not exist or is not a folder")
    files = []
    for path in source.rglob("*"):
        relative = path.relative_to(source)
        if path.is_symlink():
            raise ArtifactError(f"{str(path)!r} is a symlink; package real files only")
        if path.is_file() and _included(relative):
            files.append((relative.as_posix(), path))
    files.sort()
    if not any(name.endswith(".py") for name, _ in files):
        raise ArtifactError(f"source folder {str(source)!r} has no Python file to package")
    return files


def _vendored_files(folder: Path) -> list[tuple[str, Path]]:
    return sorted((p.relative_to(folder).as_posix(), p) for p in folder.rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts
                  and not p.name.endswith((".pyc", ".pyo")))


def build_artifact(source: Path, vendored: Optional[Path] = None) -> Artifact:
    """Zip `source` (plus `vendored` packages) byte-identically anywhere."""
    files = source_files(Path(source))
    if vendored is not None:
        ours = {name for name, _ in files}
        extra = _vendored_files(vendored)
        clash = sorted(ours & {name for name, _ in extra})
        if clash:
            raise ArtifactError(f"handler files shadow vendored ones: {', '.join(clash[:5])}")
        files = sorted(files + extra)
    entries = [(name, FILE_MODE, path.read_bytes()) for name, path in files]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, mode, content in entries:
            info = zipfile.ZipInfo(name, date_time=FIXED_DATE_TIME)
            info.external_attr = (stat.S_IFREG | mode) << 16
            info.create_system = 3  # Unix, whatever the building OS
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    data = buffer.getvalue()
    return Artifact(data=data, sha256=hashlib.sha256(data).hexdigest(),
                    content_sha256=content_digest(entries), file_count=len(files))
