"""Run `make up`'s command (python -m localdev.up) as a user would, and watch its output."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

from tests.helpers import REPO, offline_env

READY_LINE = "Ctrl-C stops"


def children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    state = subprocess.run(["ps", "-o", "stat=", "-p", str(pid)], capture_output=True,
                           text=True).stdout.strip()
    return bool(state) and not state.startswith("Z")  # a zombie has exited


def wait_gone(pid: int, within: float = 60) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not alive(pid):
            return True
        time.sleep(0.2)
    return False


class UpRunner:
    """One `make up` process; `ready()` waits for its banner and returns the output."""

    def __init__(self, *args: str) -> None:
        # --parent-pid: stops (and stops its local AWS) if this test process is killed.
        self.process = subprocess.Popen([sys.executable, "-m", "localdev.up", *args,
                                         "--parent-pid", str(os.getpid())],
                                        cwd=REPO, env=offline_env(), stdout=subprocess.PIPE,
                                        stderr=subprocess.STDOUT, text=True)
        self.lines: queue.Queue[str] = queue.Queue()
        self.output: list[str] = []
        self.helpers: list[int] = []
        threading.Thread(target=lambda: [self.lines.put(line) for line in self.process.stdout],
                         daemon=True).start()

    def ready(self, within: float = 240) -> str:
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            self.output.append(line)
            if line.startswith(READY_LINE):
                self.helpers = children(self.process.pid)
                break
        return "".join(self.output)

    def api_base(self) -> str:
        match = re.search(r"Local API: (http://\S+)", "".join(self.output))
        assert match, "".join(self.output)
        return match.group(1)

    def token(self, role: str = "WRITER") -> str:
        """The token `make up` printed for its local WRITER or READER."""
        match = re.search(rf"export {role}_TOKEN=(\S+)", "".join(self.output))
        assert match, "".join(self.output)
        return match.group(1)

    def stop(self) -> None:
        """Ctrl-C, then make sure nothing it started is left (also after a failure)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        for pid in self.helpers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def status(url: str, method: str = "GET", body: object = None, token: str = "") -> int:
    """The HTTP status of one request (an error status is an answer, not an exception)."""
    request = urllib.request.Request(
        url, method=method, data=json.dumps(body).encode() if body is not None else None,
        headers={"Content-Type": "application/json",
                 **({"Authorization": f"Bearer {token}"} if token else {})})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code


def create_and_read(base: str, item_id: str, token: str) -> int:
    """POST an item as the caller of `token` (a writer), then read its data back."""
    assert status(f"{base}/data", "POST", {"id": item_id, "data": 1}, token) == 201
    request = urllib.request.Request(f"{base}/data/{item_id}",
                                     headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=30) as reply:
        return json.loads(reply.read())["data"]
