"""End to end with `auth: iam`: an environment rendered with it launched on the local
AWS through the Sceptre CLI, the local callers `make up` creates (iam_callers), and
the local API over HTTP, called signed with botocore's SigV4 (and curl's). Three
collections: `data`, and `orders` and `customers` for rights per collection (an order
service with the stack's OrdersWriterPolicy and CustomersReaderPolicy attached)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from data_api import handler
from localdev import iam_callers
from localdev.apiserver import HandlerLoader, LocalApi, serve
from localdev.localaws import LocalAws, free_port
from localdev.stack import read_stack
from tests.helpers import REGION, edit, settings_file
from tests.test_e2e_local import _environment_copy, _launch

pytestmark = pytest.mark.e2e
ENV = "iamdev"


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    project = _environment_copy(tmp_path_factory.mktemp("project"), ENV)
    edit(settings_file(project, ENV), "sceptre_user_data:\n",
         "sceptre_user_data:\n  auth: iam\n  collections:\n    data: {}\n"
         "    orders: {billing: on_demand}\n    customers: {billing: on_demand}\n")
    saved = dict(os.environ)
    with LocalAws(REGION, log_path=tmp_path_factory.mktemp("logs") / "localaws.log") as aws:
        _launch(project, aws, ENV)
        os.environ.update(aws.env())
        handler._client = None  # a client of an earlier module's local AWS (see below)
        stack = read_stack(f"serverless-data-api-{ENV}-api", REGION)
        callers = iam_callers.create_local_callers(aws.endpoint, stack.outputs)
        callers["order-service"] = iam_callers.create_caller(
            aws.endpoint, REGION, "order-service", [stack.outputs["OrdersWriterPolicyArn"],
                                                    stack.outputs["CustomersReaderPolicyArn"]])
        app = LocalApi(stack.template, stack.function_env, HandlerLoader(), log=lambda _: None)
        app.iam = iam_callers.authorizer(aws.endpoint, stack.outputs, app.gateway.stage,
                                         callers)
        server = serve(app, "127.0.0.1", free_port())
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            yield {"base": f"http://127.0.0.1:{server.server_port}/{ENV}",
                   "keys": {role: Credentials(c["accessKeyId"], c["secretAccessKey"])
                            for role, c in callers.items()}}
        finally:
            server.shutdown()
            server.server_close()
            # The handler keeps one DynamoDB client per process (handler.default_storage):
            # drop ours, whose local AWS stops here, so later modules get their own.
            handler._client = None
            os.environ.clear()
            os.environ.update(saved)


def _call(api: dict[str, Any], role: str | None, method: str, path: str, body: Any = None,
          tamper: bool = False) -> tuple[int, dict[str, str], Any]:
    data = json.dumps(body).encode() if body is not None else b""
    request = AWSRequest(method=method, url=api["base"] + path, data=data,
                         headers={"Content-Type": "application/json", "If-Match": "*"}
                         if method == "PUT" else {"Content-Type": "application/json"})
    if role:
        SigV4Auth(api["keys"][role], "execute-api", REGION).add_auth(request)
    sent = data + b" " if tamper else data
    http = urllib.request.Request(api["base"] + path, data=sent or None, method=method,
                                  headers=dict(request.headers.items()))
    try:
        with urllib.request.urlopen(http, timeout=30) as reply:
            status, headers, raw = reply.status, dict(reply.headers), reply.read()
    except urllib.error.HTTPError as error:
        status, headers, raw = error.code, dict(error.headers), error.read()
    return status, headers, json.loads(raw) if raw else None


def test_reader_reads_but_may_not_write(api):
    assert _call(api, "reader", "GET", "/data")[0] == 200
    status, headers, body = _call(api, "reader", "POST", "/data", {"id": "r", "data": {}})
    assert (status, body["error"]["code"]) == (403, "ACCESS_DENIED")
    assert headers["Access-Control-Allow-Origin"] == "*"


def test_an_order_service_writes_orders_and_only_reads_customers(api):
    """Its role attaches the two collections' own policies: the gateway (its IAM check
    of each method's ARN) lets it write orders and read customers, and nothing else."""
    assert _call(api, "writer", "POST", "/customers", {"id": "c1", "data": {}})[0] == 201
    status, _, order = _call(api, "order-service", "POST", "/orders", {"id": "o1", "data": {}})
    assert status == 201 and order["id"] == "o1"
    assert _call(api, "order-service", "PUT", "/orders/o1", {"data": {"n": 2}})[0] == 200
    assert _call(api, "order-service", "GET", "/customers/c1")[0] == 200
    assert _call(api, "order-service", "GET", "/customers")[0] == 200
    for method, path, body in (("POST", "/customers", {"id": "c2", "data": {}}),
                               ("PUT", "/customers/c1", {"data": {}}),
                               ("DELETE", "/customers/c1", None),
                               ("GET", "/data", None), ("GET", "/data/c1", None)):
        status, headers, answer = _call(api, "order-service", method, path, body)
        assert (status, answer["error"]["code"]) == (403, "ACCESS_DENIED"), (method, path)
        assert headers["Access-Control-Allow-Origin"] == "*"
    # The API-wide roles keep their rights on every collection.
    assert _call(api, "reader", "GET", "/orders/o1")[0] == 200
    assert _call(api, "writer", "DELETE", "/orders/o1")[0] == 204


def test_writer_crud(api):
    assert _call(api, "writer", "POST", "/data", {"id": "w1", "data": {"a": 1}})[0] == 201
    status, _, item = _call(api, "writer", "GET", "/data/w1")
    assert status == 200 and item["data"] == {"a": 1}
    assert _call(api, "writer", "PUT", "/data/w1", {"data": {"a": 2}})[0] == 200
    assert _call(api, "writer", "DELETE", "/data/w1")[0] == 204
    assert _call(api, "reader", "GET", "/data/w1")[0] == 404


def test_unsigned_and_tampered_are_401_with_cors(api):
    for role, tamper in ((None, False), ("writer", True)):
        status, headers, body = _call(api, role, "POST", "/data", {"id": "t", "data": {}},
                                      tamper=tamper)
        assert status == 401 and "error" in body
        assert headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl not installed")
def test_the_printed_curl_line_signs(api):
    key = api["keys"]["reader"]
    reply = subprocess.run(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                            "--aws-sigv4", f"aws:amz:{REGION}:execute-api",
                            "--user", f"{key.access_key}:{key.secret_key}",
                            api["base"] + "/data"], capture_output=True, text=True, timeout=60)
    assert reply.stdout == "200", reply
