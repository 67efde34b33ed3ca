"""The Lambda code runs on python3.14 with only the runtime's boto3: checked statically."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from tests.helpers import REPO

HANDLER_FILES = sorted((REPO / "handlers").rglob("*.py"))
# Removed from the standard library in 3.12 and 3.13 (PEP 594 and earlier deprecations).
REMOVED = {"aifc", "asynchat", "asyncore", "audioop", "cgi", "cgitb", "chunk", "crypt",
           "distutils", "imghdr", "imp", "lib2to3", "mailcap", "msilib", "nis", "nntplib",
           "ossaudiodev", "pipes", "smtpd", "sndhdr", "spwd", "sunau", "telnetlib", "uu",
           "xdrlib"}
RUNTIME_PROVIDED = {"boto3", "botocore"}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_handler_imports_only_stdlib_the_runtime_boto3_and_itself():
    assert HANDLER_FILES
    for path in HANDLER_FILES:
        for name in _imports(path) - {"__future__", "data_api", "deploy_hooks"}:
            assert name in sys.stdlib_module_names or name in RUNTIME_PROVIDED, (path, name)
            assert name not in REMOVED, (path, name)


def test_no_deprecated_utcnow():
    for path in HANDLER_FILES:
        assert "utcnow(" not in path.read_text() and "utcfromtimestamp(" not in path.read_text()
