"""`make up`'s command for real: launch, serve, answer curl, and Ctrl-C stops everything."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.request

import pytest

from localdev.localaws import free_port
from tests.helpers import REPO, offline_env

pytestmark = pytest.mark.e2e


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def test_up_launches_serves_and_stops_on_ctrl_c():
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "localdev.up", "--port", str(port)],
                               cwd=REPO, env=offline_env(), stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    output, moto_pids = [], []
    try:
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in process.stdout],
                         daemon=True).start()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if process.poll() is not None:
                    break
                continue
            output.append(line)
            if line.startswith("Ctrl-C stops"):
                break
        text = "".join(output)
        assert "LambdaFunctionArn: arn:aws:lambda:us-west-2:" in text, text
        assert f"Local API: http://127.0.0.1:{port}/dev" in text and "curl -s" in text
        moto_pids = _children(process.pid)
        assert moto_pids, "the local AWS runs as a child process"
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/dev/data", method="POST",
            data=json.dumps({"id": "up", "data": 1}).encode(),
            headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as reply:
            assert reply.status == 201
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/dev/data/up", timeout=30) as reply:
            assert json.loads(reply.read())["data"] == 1
        process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert process.wait(timeout=60) == 0
        for pid in moto_pids:
            try:
                os.kill(pid, 0)
                pytest.fail(f"process {pid} started by make up is still running")
            except ProcessLookupError:
                pass
    finally:  # also on failure: let `make up` clean up, then make sure
        if process.poll() is None:
            moto_pids = moto_pids or _children(process.pid)
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
        for pid in moto_pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
