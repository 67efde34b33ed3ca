"""Shared test helpers: running the project's own CLIs, walking templates."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Iterator

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENVIRONMENTS = ("dev", "prod")


def offline_env(**extra: str) -> dict[str, str]:
    """Environment with no AWS credentials or config: proves generate is offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_EC2_METADATA_DISABLED="true", **extra)
    return env


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


def walk(value: Any) -> Iterator[Any]:
    """Every nested value of a JSON structure."""
    yield value
    if isinstance(value, dict):
        for item in value.values():
            yield from walk(item)
    elif isinstance(value, list):
        for item in value:
            yield from walk(item)
