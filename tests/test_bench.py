"""`make bench` runs to the end, with access control on: its quick form (one pass of
every row with small counts) through the Makefile, as a user runs it. Never timing."""

from __future__ import annotations

import shutil
import subprocess

from bench.table import measures, rows
from tests.helpers import REPO, offline_env

RESULTS = REPO / "bench" / "results.md"
# First run on a fresh machine: aws-cdk-lib and npm's aws-cdk are installed then.
FIRST_RUN_TIMEOUT = 1800


def test_make_bench_runs_every_row_once():
    before = RESULTS.read_bytes()
    result = subprocess.run(["make", "-s", "--no-print-directory", "bench", "ARGS=--quick"],
                            cwd=REPO, env=offline_env(), capture_output=True, text=True,
                            timeout=FIRST_RUN_TIMEOUT)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    # The rows the full bench wrote, in its order: none missing, none new and unrecorded.
    assert measures(result.stdout) == measures(before.decode())
    for measure, ours, peer, *_ in rows(result.stdout):
        assert ours, f"{measure}: nothing measured"
        if "cdk diff" in peer and shutil.which("npm"):
            assert "not run" not in peer, f"{measure}: {peer}"
    assert RESULTS.read_bytes() == before, "the quick form must not write bench/results.md"
