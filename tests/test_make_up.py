"""`make up`'s command for real: launch, serve, answer curl, and Ctrl-C stops everything."""

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
import urllib.request

import boto3
import pytest

from localdev.localaws import free_port
from tests.helpers import REPO, offline_env

pytestmark = pytest.mark.e2e


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True)
    return [int(p) for p in out.stdout.split()]


class RunningUp:
    """`python -m localdev.up` (what `make up` runs) until it prints its Ctrl-C line."""

    def __init__(self, *args: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, "-m", "localdev.up", "--port", str(self.port), *args],
            cwd=REPO, env=offline_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        self.moto_pids: list[int] = []
        output: list[str] = []
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=lambda: [lines.put(line) for line in self.process.stdout],
                         daemon=True).start()
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                line = lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            output.append(line)
            if line.startswith("Ctrl-C stops"):
                break
        self.output = "".join(output)
        self.moto_pids = _children(self.process.pid)

    def stop(self) -> None:
        """Let `make up` clean up, then make sure nothing it started is left."""
        if self.process.poll() is None:
            self.moto_pids = self.moto_pids or _children(self.process.pid)
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
        for pid in self.moto_pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


def test_up_launches_serves_and_stops_on_ctrl_c():
    up = RunningUp()
    process, port = up.process, up.port
    try:
        text = up.output
        assert "LambdaFunctionArn: arn:aws:lambda:us-west-2:" in text, text
        assert f"Local API: http://127.0.0.1:{port}/dev" in text and "curl -s" in text
        moto_pids = up.moto_pids
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
    finally:
        up.stop()


def test_up_prod_launches_with_codedeploy_and_make_smoke_passes():
    """What a user runs after a release, against `make up ENV=prod`'s local API."""
    up = RunningUp("--env", "prod")
    try:
        assert f"Local API: http://127.0.0.1:{up.port}/prod" in up.output, up.output
        endpoint = re.search(r"Local AWS \(moto\) on (http://\S+),", up.output).group(1)
        smoke = subprocess.run(["make", "--no-print-directory", "smoke",
                                f"URL=http://127.0.0.1:{up.port}/prod"],
                               cwd=REPO, env=offline_env(), capture_output=True, text=True,
                               timeout=120)
        assert smoke.returncode == 0, smoke.stdout + smoke.stderr
        assert "5/5 checks passed" in smoke.stdout and "FAIL" not in smoke.stdout
        session = boto3.session.Session(aws_access_key_id="local",
                                        aws_secret_access_key="local", region_name="us-west-2")
        codedeploy = session.client("codedeploy", endpoint_url=endpoint)
        group = codedeploy.get_deployment_group(
            applicationName="serverless-data-prod-api",
            deploymentGroupName="serverless-data-prod-api-live")["deploymentGroupInfo"]
        assert group["deploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
        items = session.client("dynamodb", endpoint_url=endpoint).scan(
            TableName="serverless-data-prod-items")["Items"]
        assert items == [], "the smoke checks leave nothing behind"
    finally:
        up.stop()
