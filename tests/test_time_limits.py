"""A hung test fails in minutes and names itself, and what a test starts never outlives it.

Each case runs a small pytest session of its own, with this project's configuration
(pyproject.toml: pytest-timeout, signal method) and a per-test limit of a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from tests.helpers import REGION, REPO, offline_env
from tests.up_runner import alive, wait_gone

HUNG = textwrap.dedent('''
    import os
    import time
    from pathlib import Path

    from localdev.localaws import LocalAws


    def test_that_hangs_with_the_local_aws_up():
        with LocalAws(os.environ["AWS_REGION"]) as aws:
            Path(os.environ["PID_FILE"]).write_text(str(aws.process.pid))
            time.sleep(600)
''')


def _session(folder: Path, timeout: int) -> subprocess.Popen:
    (folder / "test_hung.py").write_text(HUNG)
    return subprocess.Popen(
        [sys.executable, "-m", "pytest", "-c", str(REPO / "pyproject.toml"), "-p", "no:randomly",
         "-p", "no:cacheprovider", "-o", f"timeout={timeout}", "--rootdir", str(folder),
         str(folder / "test_hung.py")],
        cwd=folder, env=offline_env(PID_FILE=str(folder / "pid"), AWS_REGION=REGION),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT, text=True, start_new_session=True)


def _pid_when_written(folder: Path, within: float = 90) -> int:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        text = (folder / "pid").read_text() if (folder / "pid").exists() else ""
        if text:
            return int(text)
        time.sleep(0.2)
    raise AssertionError("the hung test never started its local AWS")


def test_a_hung_test_fails_at_its_time_limit_naming_itself_and_stops_its_local_aws(tmp_path):
    session = _session(tmp_path, timeout=20)
    try:
        moto = _pid_when_written(tmp_path)
        output, _ = session.communicate(timeout=120)
    finally:
        if session.poll() is None:
            os.killpg(session.pid, signal.SIGKILL)
    assert session.returncode == 1, output
    assert "Timeout (>20.0s)" in output and "test_that_hangs_with_the_local_aws_up" in output
    assert wait_gone(moto, within=15), "the local AWS outlived its timed-out test"


def test_the_local_aws_stops_when_the_test_process_is_killed_outright(tmp_path):
    session = _session(tmp_path, timeout=300)
    try:
        moto = _pid_when_written(tmp_path)
        assert alive(moto)
        session.send_signal(signal.SIGKILL)  # no teardown runs: CI's hard cut
        session.wait(timeout=30)
        assert wait_gone(moto, within=15), "the local AWS outlived its killed test process"
    finally:
        if session.poll() is None:
            os.killpg(session.pid, signal.SIGKILL)
