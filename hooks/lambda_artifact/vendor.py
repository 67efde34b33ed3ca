"""Third-party packages declared in <source>/requirements.txt, built for Lambda.

pip installs wheels for the function's platform and architecture (never this
machine's) into a cache keyed by the requirements and target, so `sceptre
generate` stays offline once the cache exists and every build sees the same files.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Optional

from lambda_artifact.build import ArtifactError

PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
CACHE_ROOT = Path(__file__).resolve().parents[2] / ".cache" / "lambda-vendor"


def declared_requirements(source: Path) -> Optional[str]:
    """The requirements text, or None when handlers/ declares no third-party package."""
    path = source / "requirements.txt"
    if not path.is_file():
        return None
    lines = [line.split("#")[0].strip() for line in path.read_text().splitlines()]
    wanted = "\n".join(line for line in lines if line)
    return wanted or None


def vendor(source: Path, architecture: str, python_version: str,
           cache_root: Path = CACHE_ROOT) -> Optional[Path]:
    """Folder of installed packages for the zip, or None if nothing is declared."""
    if architecture not in PLATFORMS:
        raise ArtifactError(f"architecture must be one of {', '.join(PLATFORMS)}, "
                            f"got {architecture!r}")
    requirements = declared_requirements(source)
    if requirements is None:
        return None
    key = hashlib.sha256(f"{requirements}\n{architecture}\n{python_version}".encode())
    target = cache_root / key.hexdigest()[:16]
    if target.is_dir():
        return target
    cache_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=cache_root) as work:
        req_file = Path(work) / "requirements.txt"
        req_file.write_text(requirements + "\n")
        out = Path(work) / "site"
        result = subprocess.run(
            [sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
             "--no-compile", "--target", str(out), "--platform", PLATFORMS[architecture],
             "--implementation", "cp", "--python-version", python_version,
             "--only-binary=:all:", "-r", str(req_file)],
            capture_output=True, text=True)
        if result.returncode != 0:
            last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
            raise ArtifactError(f"could not vendor {source / 'requirements.txt'} for "
                                f"{architecture}: {last}")
        shutil.rmtree(out / "bin", ignore_errors=True)  # console scripts are not importable
        out.rename(target)
    return target
