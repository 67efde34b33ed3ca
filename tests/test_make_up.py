"""`make up`'s command for real: launch, serve, answer curl, and Ctrl-C stops everything."""

from __future__ import annotations

import re
import signal
import subprocess

import boto3
import pytest

from localdev.localaws import free_port
from tests.helpers import REGION, REPO, offline_env
from tests.up_runner import UpRunner, alive, create_and_read, status

pytestmark = pytest.mark.e2e


def test_up_launches_serves_and_stops_on_ctrl_c():
    port = free_port()
    runner = UpRunner("--port", str(port))
    try:
        text = runner.ready()
        assert f"LambdaFunctionArn: arn:aws:lambda:{REGION}:" in text, text
        assert f"Local API: http://127.0.0.1:{port}/dev" in text and "curl -s" in text
        assert runner.helpers, "the local AWS runs as a child process"
        base, writer = f"http://127.0.0.1:{port}/dev", runner.token("WRITER")
        assert "Bearer $WRITER_TOKEN" in text and "Bearer $READER_TOKEN" in text
        assert create_and_read(base, "up", writer) == 1
        # `make token` prints only a fresh token of the running environment.
        printed = subprocess.run(["make", "-s", "token", "ROLE=reader"], cwd=REPO,
                                 env=offline_env(), capture_output=True, text=True, timeout=120)
        assert printed.returncode == 0, printed.stderr
        reader = printed.stdout.strip()
        assert re.fullmatch(r"[\w-]+\.[\w-]+\.[\w-]+", reader) and reader != writer, printed
        assert status(f"{base}/data/up", token=reader) == 200
        assert status(f"{base}/data", "POST", {"data": 2}, reader) == 403
        assert status(f"{base}/data/up") == 401
        runner.process.send_signal(signal.SIGINT)  # what Ctrl-C sends
        assert runner.process.wait(timeout=60) == 0
        assert not (REPO / ".cache" / "localdev" / "auth-dev.json").exists()
        stopped = subprocess.run(["make", "-s", "token"], cwd=REPO, env=offline_env(),
                                 capture_output=True, text=True, timeout=120)
        assert stopped.returncode != 0 and "make up" in stopped.stderr
        for pid in runner.helpers:
            assert not alive(pid), f"process {pid} started by make up is still running"
    finally:  # also on failure: let `make up` clean up, then make sure
        runner.stop()


def test_up_prod_launches_with_codedeploy_and_make_smoke_passes():
    """What a user runs after a release, against `make up ENV=prod`'s local API."""
    port = free_port()
    up = UpRunner("--env", "prod", "--port", str(port))
    try:
        output = up.ready()
        assert f"Local API: http://127.0.0.1:{port}/prod" in output, output
        endpoint = re.search(r"Local AWS \(moto\) on (http://\S+),", output).group(1)
        url, token = f"URL=http://127.0.0.1:{port}/prod", f"TOKEN={up.token()}"
        # As documented, then with ENV: prod's collections, read from config/prod (one,
        # /data; several collections: test_e2e_collections.py).
        for env in ((), ("ENV=prod",)):
            smoke = subprocess.run(["make", "--no-print-directory", "smoke", url, token, *env],
                                   cwd=REPO, env=offline_env(), capture_output=True, text=True,
                                   timeout=120)
            assert smoke.returncode == 0, smoke.stdout + smoke.stderr
            assert "5/5 checks passed" in smoke.stdout and "FAIL" not in smoke.stdout
            assert smoke.stdout.rstrip().endswith("(/data)"), smoke.stdout
        session = boto3.session.Session(aws_access_key_id="local",
                                        aws_secret_access_key="local", region_name=REGION)
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
