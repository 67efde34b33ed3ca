"""Reviews of hand-written templates with one stack, dev/api: what the stack-review
table findings (indexes, expiry) are tested on."""

from __future__ import annotations

from typing import Any

import pytest

from stack_review import cli, report
from stack_review.diff import ResourceChange

REGION = "us-west-2"  # config/config.yaml's


def rendering(resources: dict[str, Any]) -> dict[str, Any]:
    return {"stacks": {"dev/api": {"external_name": "dev-api", "region": REGION,
                                   "parameters": {}, "tags": {},
                                   "template": {"Resources": resources}}}}


def build(old: dict[str, Any], new: dict[str, Any]) -> report.Review:
    return report.build("old", "new", rendering(old), rendering(new))


def changes(old: dict[str, Any], new: dict[str, Any]) -> dict[str, ResourceChange]:
    return {c.logical_id: c for _, c in build(old, new).resources()}


def cli_run(old: dict[str, Any], new: dict[str, Any], fail_on: str,
            monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
            ) -> tuple[int, str]:
    """`stack-review --base main --fail-on <fail_on>` on the review of old -> new: its
    exit code and stderr."""
    monkeypatch.setattr(cli, "review", lambda args: build(old, new))
    code = cli.main(["--base", "main", "--fail-on", fail_on])
    return code, capsys.readouterr().err
