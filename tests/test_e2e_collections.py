"""End to end with several collections: `sceptre launch -y dev` on the local AWS of a
project copy whose dev config declares three collections, then the local API over HTTP.

Every collection must work on its own (create, read, replace, delete, paging), keep its
items to itself (over HTTP and in its own DynamoDB table), and be protected the same
way (a reader's write is 403, no token 401). The release checks pass on every path.
One launch for the module (the launch is most of its time).
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest

from deploy_hooks.checks import run_checks
from localdev import smoke, tokens, up
from localdev.localaws import LocalAws
from localdev.stack import LaunchedStack, read_stack
from tests.helpers import copy_project, edit, offline_env, sceptre
from tests.test_e2e_local import API_STACK, Http, serving

pytestmark = pytest.mark.e2e

COLLECTIONS_BLOCK = """\
  collections:
    data: {}
    orders: {path: /orders, billing: on_demand}
    customers: {billing: provisioned}
"""
# path -> (the stack output naming its table, the table's name)
TABLES = {
    "/data": ("TableName", "serverless-data-dev-items"),
    "/orders": ("OrdersTableName", "serverless-data-dev-orders"),
    "/customers": ("CustomersTableName", "serverless-data-dev-customers"),
}
PATHS = tuple(TABLES)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("project"))
    edit(root / "config" / "dev" / "api.yaml", "sceptre_user_data:\n",
         "sceptre_user_data:\n" + COLLECTIONS_BLOCK)
    return root


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAws]:
    with LocalAws(log_path=tmp_path_factory.mktemp("logs") / "localaws.log") as aws:
        yield aws


@pytest.fixture(scope="module")
def dynamodb(local_aws: LocalAws) -> Any:
    return boto3.client("dynamodb", endpoint_url=local_aws.endpoint, region_name="us-west-2",
                        aws_access_key_id="local", aws_secret_access_key="local")


@pytest.fixture(scope="module")
def stack(project: Path, local_aws: LocalAws) -> Iterator[LaunchedStack]:
    """`sceptre launch -y dev` once; the launched API stack as the local API reads it.
    The local AWS's variables stay in os.environ for the module (as `make up` does)."""
    sceptre("launch", "-y", "dev", cwd=project, env=local_aws.env(offline_env()))
    saved = dict(os.environ)
    os.environ.update(local_aws.env())
    try:
        yield read_stack(API_STACK)
    finally:
        os.environ.clear()
        os.environ.update(saved)


@pytest.fixture(scope="module")
def http(stack: LaunchedStack, local_aws: LocalAws) -> Iterator[Http]:
    with serving(stack, local_aws) as http:
        yield http


def _reader(http: Http) -> Http:
    return http.as_(tokens.token_for(http.callers, "reader"))  # type: ignore[attr-defined]


def _ids(page: dict[str, Any]) -> list[str]:
    return [item["id"] for item in page["items"]]


def _all_ids(http: Http, path: str, limit: int = 2) -> list[str]:
    """Every id of a collection, following `next` page by page."""
    seen: list[str] = []
    query = f"limit={limit}"
    for _ in range(100):
        status, _, page = http("GET", f"{path}?{query}")
        assert status == 200 and page["count"] == len(page["items"]) <= limit, (path, page)
        seen += _ids(page)
        if "next" not in page:
            return seen
        query = f"limit={limit}&next={page['next']}"
    raise AssertionError(f"{path}: `next` never ran out")


def _table_ids(dynamodb: Any, table: str) -> set[str]:
    items = dynamodb.scan(TableName=table, ProjectionExpression="id")["Items"]
    return {item["id"]["S"] for item in items}


def test_the_stack_serves_each_collection_from_its_own_table(stack, dynamodb):
    assert json.loads(stack.function_env["COLLECTIONS"]) == {
        path: name for path, (_, name) in TABLES.items()}
    for path, (output, name) in TABLES.items():
        assert stack.outputs[output] == name, path
    described = {path: dynamodb.describe_table(TableName=name)["Table"]
                 for path, (_, name) in TABLES.items()}
    assert described["/orders"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    for path in ("/data", "/customers"):
        assert described[path]["ProvisionedThroughput"]["ReadCapacityUnits"] == 5, path


def test_the_rest_api_has_both_routes_of_each_collection(stack, local_aws):
    apigateway = boto3.client("apigateway", endpoint_url=local_aws.endpoint,
                              region_name="us-west-2", aws_access_key_id="local",
                              aws_secret_access_key="local")
    api_id = next(a["id"] for a in apigateway.get_rest_apis()["items"]
                  if a["name"] == "serverless-data-dev-api")
    routes = {r["path"]: set(r.get("resourceMethods", {}))
              for r in apigateway.get_resources(restApiId=api_id)["items"]}
    for path in PATHS:
        assert routes[path] == {"GET", "POST", "OPTIONS", "ANY"}, path
        assert routes[f"{path}/{{id}}"] == {"GET", "PUT", "DELETE", "OPTIONS", "ANY"}, path


@pytest.mark.parametrize("path", PATHS)
def test_crud_on_each_collection(http, path):
    item_id = f"crud{path.replace('/', '-')}"
    status, headers, item = http("POST", path, {"id": item_id, "data": {"in": path}})
    assert status == 201 and headers["Location"] == f"/dev{path}/{item_id}", (status, item)
    assert item["id"] == item_id
    created = headers["ETag"]
    status, headers, item = http("GET", f"{path}/{item_id}")
    assert status == 200 and item["data"] == {"in": path}
    assert headers["ETag"] == created == f'"{item["version"]}"'
    status, headers, item = http("PUT", f"{path}/{item_id}", {"data": 2},
                                 {"If-Match": created})
    assert status == 200 and item["data"] == 2
    replaced = headers["ETag"]
    assert replaced != created and replaced == f'"{item["version"]}"'
    status, _, error = http("PUT", f"{path}/{item_id}", {"data": 3}, {"If-Match": created})
    assert status == 412, error
    assert http("DELETE", f"{path}/{item_id}", headers={"If-Match": created})[0] == 412
    assert http("GET", f"{path}/{item_id}")[2]["data"] == 2
    assert http("DELETE", f"{path}/{item_id}", headers={"If-Match": replaced})[0] == 204
    status, _, error = http("GET", f"{path}/{item_id}")
    assert status == 404 and error["error"]["code"] == "NOT_FOUND"


def test_pages_and_items_stay_in_their_own_collection(http, dynamodb):
    created = {path: {f"{path[1:]}-{n}" for n in range(3)} for path in PATHS}
    for path, ids in created.items():
        for item_id in ids:
            assert http("POST", path, {"id": item_id, "data": {"in": path}})[0] == 201
    try:
        for path, ids in created.items():
            seen = _all_ids(http, path)
            assert len(seen) == len(set(seen)) and set(seen) == ids, (path, seen)
            for other in PATHS:
                if other != path:
                    for item_id in ids:
                        status, _, error = http("GET", f"{other}/{item_id}")
                        assert status == 404 and error["error"]["code"] == "NOT_FOUND", \
                            (item_id, other)
            assert _table_ids(dynamodb, TABLES[path][1]) == ids, path
        # The same id in two collections: two items, each its own.
        for path in PATHS:
            assert http("POST", path, {"id": "shared", "data": path})[0] == 201
        for path in PATHS:
            assert http("GET", f"{path}/shared")[2]["data"] == path
            assert http("DELETE", f"{path}/shared")[0] == 204
    finally:
        for path, ids in created.items():
            for item_id in ids:
                http("DELETE", f"{path}/{item_id}")
    for path, (_, table) in TABLES.items():
        assert _table_ids(dynamodb, table) == set(), path


@pytest.mark.parametrize("path", PATHS)
def test_readers_read_and_are_refused_writes_on_each_collection(http, path):
    item_id = f"read{path.replace('/', '-')}"
    assert http("POST", path, {"id": item_id, "data": 1})[0] == 201
    reader = _reader(http)
    try:
        assert reader("GET", f"{path}/{item_id}")[0] == 200
        status, _, page = reader("GET", path)
        assert status == 200 and _ids(page) == [item_id]
        for method, target, body in (("POST", path, {"data": 1}),
                                     ("PUT", f"{path}/{item_id}", {"data": 2}),
                                     ("DELETE", f"{path}/{item_id}", None)):
            status, headers, error = reader(method, target, body)
            assert status == 403 and error["error"]["code"] == "ACCESS_DENIED", (method, target)
            assert headers["Access-Control-Allow-Origin"] == "*"
        assert http("GET", f"{path}/{item_id}")[2]["data"] == 1, "the refused writes did nothing"
    finally:
        assert http("DELETE", f"{path}/{item_id}")[0] == 204


@pytest.mark.parametrize("path", PATHS)
def test_no_token_is_401_on_each_collection(http, path):
    anonymous = http.as_("")
    for method, target, body in (("GET", path, None), ("POST", path, {"data": 1}),
                                 ("GET", f"{path}/x", None), ("PUT", f"{path}/x", {"data": 1}),
                                 ("DELETE", f"{path}/x", None)):
        status, headers, error = anonymous(method, target, body)
        assert status == 401 and error == {"error": {"code": "UNAUTHORIZED",
                                                     "message": "Unauthorized"}}, (method, target)
        assert headers["WWW-Authenticate"] == "Bearer"


def test_release_checks_pass_on_every_collection_over_http(http, dynamodb):
    results = run_checks(smoke.http_transport(http.base, http.token), collections=PATHS)
    assert [r for r in results if not r.passed] == []
    assert len(results) == 5 * len(PATHS)
    for path in PATHS:  # each check is named after the collection it ran on
        assert sum(r.name.startswith(f"{path}: ") for r in results) == 5, path
    for path, (_, table) in TABLES.items():
        assert _table_ids(dynamodb, table) == set(), f"{path}: the checks leave nothing"


def test_smoke_env_reads_the_environments_collections(http, project, capsys):
    """`make smoke ENV=dev`'s command: the paths come from config/dev through Sceptre."""
    code = smoke.main(["--env", "dev", "--project", str(project), "--url", http.base,
                       "--token", http.token])
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"15/15 checks passed against {http.base}" in out and "FAIL" not in out
    for path in PATHS:
        assert f"PASS  {path}: create a marked item" in out, out


def test_up_banner_has_a_line_for_each_further_collection(stack):
    """`make up` prints these after its /data examples, from the launched function's env."""
    reader = ' -H "Authorization: Bearer $READER_TOKEN"'
    base = "http://127.0.0.1:3000/dev"
    assert up.collection_lines(base, stack.function_env, reader) == [
        f"  curl -s '{base}{path}?limit=10'{reader}    # collection {path}"
        for path in ("/orders", "/customers")]
