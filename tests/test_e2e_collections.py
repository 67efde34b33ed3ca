"""End to end with several collections: `sceptre launch -y dev` on the local AWS of a
project copy whose dev config declares three collections, then the local API over HTTP.

Every collection must work on its own (create, read, replace, delete, paging), keep its
items to itself (over HTTP and in its own DynamoDB table), and be protected the same
way (a reader's write is 403, no token 401). The release checks pass on every path.
A collection's rules hold end to end: its schema is refused alike by the gateway's model
and by the function, its index answers queries (paged, with tokens only that query
takes) from the global secondary index CloudFormation created, and its expired items are
gone for the API while the local AWS, which never deletes by TTL, still stores them.
One launch for the module (the launch is most of its time).
"""

from __future__ import annotations

import json
import logging
import os
import time
from pathlib import Path
from typing import Any, Callable, Iterator

import boto3
import jwt
import pytest

import data_api.handler as handler
from data_api.storage import Storage
from deploy_hooks.checks import JSON_HEADERS, Request, proxy_event, run_checks
from localdev import smoke, tokens, up
from localdev.authorizer import rest_api_claims
from localdev.localaws import LocalAws
from localdev.stack import LaunchedStack, read_stack
from tests.helpers import ORDERS_SCHEMA, REGION, copy_project, edit, offline_env, sceptre, \
    settings_file
from tests.test_e2e_local import API_STACK, Http, serving

pytestmark = pytest.mark.e2e

# `orders` as the example (a schema, an index, an expiry), as a user writes it;
# `customers` an index and no schema (an item may lack the field, or hold a number).
COLLECTIONS_BLOCK = """\
  collections:
    data: {}
    orders:
      path: /orders
      billing: on_demand
      schema:
        type: object
        required: [customer_id, total]
        properties:
          customer_id: {type: string, maxLength: 64}
          total: {type: number, minimum: 0}
          expires_at: {type: integer}
      indexes:
        by_customer: {attribute: customer_id}
      ttl_attribute: expires_at
    customers:
      billing: provisioned
      indexes:
        by_email: {attribute: email}
"""
# path -> (the stack output naming its table, the table's name)
TABLES = {
    "/data": ("TableName", "serverless-data-dev-items"),
    "/orders": ("OrdersTableName", "serverless-data-dev-orders"),
    "/customers": ("CustomersTableName", "serverless-data-dev-customers"),
}
PATHS = tuple(TABLES)
ORDERS, CUSTOMERS = TABLES["/orders"][1], TABLES["/customers"][1]
# A gateway's answer to a body its model refuses: "$context.error.message:
# $context.error.validationErrorString" (the template's BAD_REQUEST_BODY response).
GATEWAY_BODY_MESSAGE = "Invalid request body: "
# The function's answer to data its collection's schema refuses (validation.check_data).
HANDLER_SCHEMA_MESSAGE = "data does not match the collection's schema: "


def _valid(path: str, **fields: Any) -> dict[str, Any]:
    """Data every collection takes, `orders`' schema included (it requires customer_id
    and total, and allows other fields); `in` names the collection."""
    return {"in": path, "customer_id": "any-collection", "total": 1, **fields}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = copy_project(tmp_path_factory.mktemp("project"))
    edit(settings_file(root, "dev"), "sceptre_user_data:\n",
         "sceptre_user_data:\n" + COLLECTIONS_BLOCK)
    return root


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAws]:
    with LocalAws(REGION, log_path=tmp_path_factory.mktemp("logs") / "localaws.log") as aws:
        yield aws


@pytest.fixture(scope="module")
def dynamodb(local_aws: LocalAws) -> Any:
    return boto3.client("dynamodb", endpoint_url=local_aws.endpoint, region_name=REGION,
                        aws_access_key_id="local", aws_secret_access_key="local")


@pytest.fixture(scope="module")
def stack(project: Path, local_aws: LocalAws) -> Iterator[LaunchedStack]:
    """`sceptre launch -y dev` once; the launched API stack as the local API reads it.
    The local AWS's variables stay in os.environ for the module (as `make up` does)."""
    sceptre("launch", "-y", "dev", cwd=project, env=local_aws.env(offline_env()))
    saved = dict(os.environ)
    os.environ.update(local_aws.env())
    try:
        yield read_stack(API_STACK, REGION)
    finally:
        os.environ.clear()
        os.environ.update(saved)


class PacedHttp(Http):
    """A client that waits out the stage's throttle: dev's (10 requests/s, bursts of 20
    per method) answers a quick run of requests 429 THROTTLED before anything else, so
    such an answer is sent again a moment later, as a client does."""

    def as_(self, token: str) -> "PacedHttp":
        paced = PacedHttp(self.base, token)
        paced.callers = self.callers  # type: ignore[attr-defined]
        return paced

    def __call__(self, *args: Any, **kwargs: Any) -> tuple[int, Any, Any]:
        return _paced(lambda: super(PacedHttp, self).__call__(*args, **kwargs),
                      lambda reply: reply[0])


def _paced(send: Callable[[], Any], status: Callable[[Any], int]) -> Any:
    """`send()` again a moment later while the stage's throttle answers 429, as a client
    does (at most 10 s)."""
    for _ in range(50):
        reply = send()
        if status(reply) != 429:
            return reply
        time.sleep(0.2)
    return reply


def _paced_transport(http: Http) -> Any:
    """The release checks' HTTP transport (smoke.http_transport), paced like PacedHttp:
    whichever tests ran before may have spent the stage's bursts."""
    send = smoke.http_transport(http.base, http.token)
    return lambda request: _paced(lambda: send(request), lambda answer: answer.status)


@pytest.fixture(scope="module")
def http(stack: LaunchedStack, local_aws: LocalAws) -> Iterator[Http]:
    with serving(stack, local_aws) as served:
        paced = PacedHttp(served.base, served.token)
        paced.callers = served.callers  # type: ignore[attr-defined]
        yield paced


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


def _page(http: Http, target: str) -> dict[str, Any]:
    status, _, page = http("GET", target)
    assert status == 200 and page["count"] == len(page["items"]), (target, status, page)
    return page


def _query_ids(http: Http, path: str, query: str, limit: int) -> list[str]:
    """Every id a query answers, following its `next` (a query's token) page by page."""
    seen: list[str] = []
    target = f"{path}?{query}&limit={limit}"
    for _ in range(100):
        page = _page(http, target)
        assert page["count"] <= limit, (target, page)
        seen += _ids(page)
        if "next" not in page:
            return seen
        assert page["next"].startswith("."), page["next"]  # `.<tag>.<id>`
        target = f"{path}?{query}&limit={limit}&next={page['next']}"
    raise AssertionError(f"{path}?{query}: `next` never ran out")


def _error(reply: tuple[int, Any, Any], status: int, code: str) -> str:
    """The message of an error answer in the API's one JSON error shape."""
    got, _, body = reply
    assert got == status and isinstance(body, dict) and set(body) == {"error"}, reply
    assert set(body["error"]) == {"code", "message"} and body["error"]["code"] == code, reply
    return body["error"]["message"]


def _forget(dynamodb: Any, table: str, ids: Any) -> None:
    """Delete items straight from the table (an expired one answers 404 to DELETE)."""
    for item_id in ids:
        dynamodb.delete_item(TableName=table, Key={"id": {"S": item_id}})


@pytest.fixture()
def invocations() -> Iterator[list[logging.LogRecord]]:
    """The function's request log lines (one per invocation, data_api.handler) written
    while the test runs."""
    seen: list[logging.LogRecord] = []

    class Record(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.getMessage() == "request":
                seen.append(record)

    logger = logging.getLogger("data_api")
    handler_ = Record()
    logger.addHandler(handler_)
    try:
        yield seen
    finally:
        logger.removeHandler(handler_)


def test_the_stack_serves_each_collection_from_its_own_table(stack, dynamodb):
    assert json.loads(stack.function_env["COLLECTIONS"]) == {
        "/data": TABLES["/data"][1],
        "/orders": {"table": ORDERS, "schema": ORDERS_SCHEMA,
                    "indexes": {"customer_id": ["by_customer", "S"]}, "ttl": "expires_at"},
        "/customers": {"table": CUSTOMERS, "indexes": {"email": ["by_email", "S"]}}}
    for path, (output, name) in TABLES.items():
        assert stack.outputs[output] == name, path
    described = {path: dynamodb.describe_table(TableName=name)["Table"]
                 for path, (_, name) in TABLES.items()}
    assert described["/orders"]["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    for path in ("/data", "/customers"):
        assert described[path]["ProvisionedThroughput"]["ReadCapacityUnits"] == 5, path


def test_the_rest_api_has_both_routes_of_each_collection(stack, local_aws):
    apigateway = boto3.client("apigateway", endpoint_url=local_aws.endpoint,
                              region_name=REGION, aws_access_key_id="local",
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
    status, headers, item = http("POST", path, {"id": item_id, "data": _valid(path)})
    assert status == 201 and headers["Location"] == f"/dev{path}/{item_id}", (status, item)
    assert item["id"] == item_id
    created = headers["ETag"]
    status, headers, item = http("GET", f"{path}/{item_id}")
    assert status == 200 and item["data"] == _valid(path)
    assert headers["ETag"] == created == f'"{item["version"]}"'
    status, headers, item = http("PUT", f"{path}/{item_id}", {"data": _valid(path, total=2)},
                                 {"If-Match": created})
    assert status == 200 and item["data"] == _valid(path, total=2)
    replaced = headers["ETag"]
    assert replaced != created and replaced == f'"{item["version"]}"'
    status, _, error = http("PUT", f"{path}/{item_id}", {"data": _valid(path, total=3)},
                            {"If-Match": created})
    assert status == 412, error
    assert http("DELETE", f"{path}/{item_id}", headers={"If-Match": created})[0] == 412
    assert http("GET", f"{path}/{item_id}")[2]["data"] == _valid(path, total=2)
    assert http("DELETE", f"{path}/{item_id}", headers={"If-Match": replaced})[0] == 204
    status, _, error = http("GET", f"{path}/{item_id}")
    assert status == 404 and error["error"]["code"] == "NOT_FOUND"


def test_pages_and_items_stay_in_their_own_collection(http, dynamodb):
    created = {path: {f"{path[1:]}-{n}" for n in range(3)} for path in PATHS}
    for path, ids in created.items():
        for item_id in ids:
            assert http("POST", path, {"id": item_id, "data": _valid(path)})[0] == 201
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
            assert http("POST", path, {"id": "shared", "data": _valid(path)})[0] == 201
        for path in PATHS:
            assert http("GET", f"{path}/shared")[2]["data"] == _valid(path)
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
    assert http("POST", path, {"id": item_id, "data": _valid(path)})[0] == 201
    reader = _reader(http)
    try:
        assert reader("GET", f"{path}/{item_id}")[0] == 200
        status, _, page = reader("GET", path)
        assert status == 200 and _ids(page) == [item_id]
        # Bodies the models take: a body a model refuses is the gateway's 400 before the
        # function (and its role check) is reached.
        for method, target, body in (("POST", path, {"data": _valid(path)}),
                                     ("PUT", f"{path}/{item_id}",
                                      {"data": _valid(path, total=2)}),
                                     ("DELETE", f"{path}/{item_id}", None)):
            status, headers, error = reader(method, target, body)
            assert status == 403 and error["error"]["code"] == "ACCESS_DENIED", (method, target)
            assert headers["Access-Control-Allow-Origin"] == "*"
        assert http("GET", f"{path}/{item_id}")[2]["data"] == _valid(path), \
            "the refused writes did nothing"
    finally:
        assert http("DELETE", f"{path}/{item_id}")[0] == 204


def test_a_token_with_rights_per_collection_over_http(http, project):
    """`make token RIGHTS=...`'s user (tokens.rights_token): writer of orders, reader of
    customers, nothing on data. The local authorizer passes its token on every method
    (its scope is the sign-in one); the function decides by its groups."""
    order_service = http.as_(tokens.rights_token(
        "orders:write customers:read", "dev", project, http.callers))  # type: ignore
    created = "rights-c1"
    assert http("POST", "/customers", {"id": created, "data": _valid("/customers")})[0] == 201
    try:
        status, _, order = order_service("POST", "/orders", {"data": _valid("/orders")})
        assert status == 201
        assert order_service("GET", f"/orders/{order['id']}")[0] == 200
        assert order_service("DELETE", f"/orders/{order['id']}")[0] == 204
        assert order_service("GET", f"/customers/{created}")[0] == 200
        assert order_service("GET", "/customers")[0] == 200
        refused = {json.dumps(order_service(method, target, body)[2]) for method, target, body
                   in (("POST", "/customers", {"data": _valid("/customers")}),
                       ("PUT", f"/customers/{created}", {"data": _valid("/customers")}),
                       ("DELETE", f"/customers/{created}", None))}
        assert len(refused) == 1 and json.loads(refused.pop())["error"]["code"] == \
            "ACCESS_DENIED"
        # No right on data: its reads are 403 too, alike for an item there or not.
        for target in ("/data", f"/data/{created}", "/data/never-written"):
            status, headers, error = order_service("GET", target)
            assert status == 403 and error["error"]["code"] == "ACCESS_DENIED", target
            assert headers["Access-Control-Allow-Origin"] == "*"
        assert http("GET", f"/customers/{created}")[0] == 200, "the refused writes did nothing"
    finally:
        assert http("DELETE", f"/customers/{created}")[0] == 204


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


def test_release_checks_pass_on_every_collection_over_http(http, project, dynamodb):
    """With a schema, the checks' marked item is the collection's example (derived from
    its schema at generate): every check passes and nothing is left behind."""
    examples = smoke.environment_examples(project, "dev")
    assert set(examples) == {"/orders"}
    results = run_checks(_paced_transport(http), collections=PATHS,
                         examples=examples)
    assert [r for r in results if not r.passed] == []
    for path in PATHS:
        assert sum(r.name.startswith(f"{path}: ") for r in results) == 5, path
    for path, (_, table) in TABLES.items():
        assert _table_ids(dynamodb, table) == set(), f"{path}: the checks leave nothing"
    without = run_checks(_paced_transport(http), collections=["/orders"])
    assert [r.name for r in without if not r.passed] == ["create a marked item"], \
        "any other data breaks orders' schema"


def test_smoke_env_reads_the_environments_collections(http, project, capsys, monkeypatch):
    """`make smoke ENV=dev`'s command: the paths and examples come from config/dev
    through Sceptre. Its transport is paced like the others here: whichever tests ran
    before may have spent the stage's bursts."""
    unpaced = smoke.http_transport
    monkeypatch.setattr(smoke, "http_transport", lambda base, token=None: (
        lambda request: _paced(lambda: unpaced(base, token)(request),
                               lambda answer: answer.status)))
    code = smoke.main(["--env", "dev", "--project", str(project), "--url", http.base,
                       "--token", http.token])
    out = capsys.readouterr().out
    assert f"15/15 checks passed against {http.base} ({', '.join(PATHS)})" in out, out
    assert code == 0 and "FAIL" not in out, out


def test_up_banner_has_a_line_for_each_further_collection(stack):
    """`make up` prints these after its /data examples, from the launched function's env."""
    reader = ' -H "Authorization: Bearer $READER_TOKEN"'
    base = "http://127.0.0.1:3000/dev"
    assert up.collection_lines(base, stack.function_env, reader) == [
        f"  curl -s '{base}/orders?limit=10'{reader}    # collection /orders",
        f"  curl -s '{base}/orders?customer_id=<value>'{reader}    # index by_customer",
        f"  curl -s '{base}/customers?limit=10'{reader}    # collection /customers",
        f"  curl -s '{base}/customers?email=<value>'{reader}    # index by_email"]


def test_cloudformation_made_each_index_on_its_table(stack, dynamodb):
    """The launched tables carry the template's global secondary indexes (the local AWS's
    CloudFormation creates them); the expiry is the template's TimeToLiveSpecification."""
    described = {name: dynamodb.describe_table(TableName=name)["Table"]
                 for name in (ORDERS, CUSTOMERS, TABLES["/data"][1])}
    for table, index, attribute in ((ORDERS, "by_customer", "customer_id"),
                                    (CUSTOMERS, "by_email", "email")):
        found = described[table]
        assert {"AttributeName": attribute, "AttributeType": "S"} in \
            found["AttributeDefinitions"], table
        assert [(i["IndexName"], i["KeySchema"], i["Projection"])
                for i in found["GlobalSecondaryIndexes"]] == [
            (index, [{"AttributeName": attribute, "KeyType": "HASH"}],
             {"ProjectionType": "ALL"})], table
    # A provisioned table's index has the table's capacity.
    (by_email,) = described[CUSTOMERS]["GlobalSecondaryIndexes"]
    assert by_email["ProvisionedThroughput"]["ReadCapacityUnits"] == 5
    assert by_email["ProvisionedThroughput"]["WriteCapacityUnits"] == 5
    assert not described[TABLES["/data"][1]].get("GlobalSecondaryIndexes")
    # The local AWS's CloudFormation does not apply TimeToLiveSpecification (its table
    # reports TTL DISABLED) and it never deletes by TTL anyway: the expiry is the
    # template's, and the API's own filtering is what the tests below see.
    resources = stack.template["Resources"]
    assert resources["OrdersTable"]["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": "expires_at", "Enabled": True}
    assert "TimeToLiveSpecification" not in resources["CustomersTable"]["Properties"]


def test_a_query_answers_exactly_its_items_page_by_page(http, dynamodb):
    owners = {"q-alice-0": "alice", "q-alice-1": "alice", "q-alice-2": "alice",
              "q-bob-0": "bob", "q-bob-1": "bob", "q-alice-other": "alice-other"}
    try:
        for item_id, owner in owners.items():
            assert http("POST", "/orders", {"id": item_id, "data": {
                "customer_id": owner, "total": 10}})[0] == 201, item_id
        for owner in ("alice", "bob"):
            expected = {i for i, o in owners.items() if o == owner}
            page = _page(http, f"/orders?customer_id={owner}")
            assert set(_ids(page)) == expected and "next" not in page, (owner, page)
            # Query items are whole items, the index's top-level mirror hidden.
            assert all(set(item) == {"id", "data", "created_at", "updated_at", "version"}
                       and item["data"]["customer_id"] == owner for item in page["items"])
            for limit in (1, 2):
                seen = _query_ids(http, "/orders", f"customer_id={owner}", limit)
                assert sorted(seen) == sorted(expected), (owner, limit, seen)
        nobody = _page(http, "/orders?customer_id=nobody")
        assert nobody["items"] == [] and "next" not in nobody
        # The list still answers every item, the queried ones among them.
        assert set(owners) <= set(_all_ids(http, "/orders"))
        # The mirror is a top-level attribute of the stored item (what the index reads).
        stored = dynamodb.get_item(TableName=ORDERS, Key={"id": {"S": "q-bob-0"}})["Item"]
        assert stored["customer_id"] == {"S": "bob"}
    finally:
        _forget(dynamodb, ORDERS, owners)


def test_an_item_without_the_field_is_in_the_list_and_in_no_query(http, dynamodb):
    """`customers` has an index and no schema: an item may lack the field, or hold a
    value no string key can be (a number, an empty text); none of those is in the index."""
    items = {"c-with": {"email": "a@example.com"}, "c-without": {"name": "no email"},
             "c-number": {"email": 7}, "c-empty": {"email": ""}}
    try:
        for item_id, data in items.items():
            assert http("POST", "/customers", {"id": item_id, "data": data})[0] == 201, item_id
        assert _ids(_page(http, "/customers?email=a@example.com")) == ["c-with"]
        assert _page(http, "/customers?email=7")["items"] == []
        assert set(_all_ids(http, "/customers", limit=1)) == set(items)
        stored = {item["id"]["S"]: item for item in dynamodb.scan(TableName=CUSTOMERS)["Items"]}
        assert [i for i in items if "email" in stored[i]] == ["c-with"]
        # A change that drops the field takes the item out of the index.
        assert http("PUT", "/customers/c-with", {"data": {"name": "moved"}})[0] == 200
        assert _page(http, "/customers?email=a@example.com")["items"] == []
        assert "email" not in dynamodb.get_item(TableName=CUSTOMERS,
                                                Key={"id": {"S": "c-with"}})["Item"]
    finally:
        _forget(dynamodb, CUSTOMERS, items)


def test_a_page_token_is_taken_only_by_the_request_that_made_it(http, dynamodb):
    owners = {"t-alice-0": "alice", "t-alice-1": "alice", "t-alice-2": "alice",
              "t-bob-0": "bob", "t-bob-1": "bob"}
    try:
        for item_id, owner in owners.items():
            assert http("POST", "/orders", {"id": item_id, "data": {
                "customer_id": owner, "total": 1}})[0] == 201, item_id
        query_token = _page(http, "/orders?customer_id=alice&limit=1")["next"]
        assert query_token.startswith(".")
        assert http("GET", f"/orders?customer_id=alice&limit=1&next={query_token}")[0] == 200
        message = _error(http("GET", f"/orders?customer_id=bob&next={query_token}"),
                         400, "BAD_REQUEST_PARAMETERS")
        assert "another query" in message, message
        message = _error(http("GET", f"/orders?next={query_token}"),
                         400, "BAD_REQUEST_PARAMETERS")
        assert "not of the list" in message, message
        list_token = _page(http, "/orders?limit=1")["next"]
        assert not list_token.startswith(".")
        message = _error(http("GET", f"/orders?customer_id=alice&next={list_token}"),
                         400, "BAD_REQUEST_PARAMETERS")
        assert "not of this query" in message, message
    finally:
        _forget(dynamodb, ORDERS, owners)


REFUSED_ORDERS = {  # data orders' schema refuses, and the reason the gateway names
    "a negative total": ({"customer_id": "alice", "total": -1}, "minimum"),
    "no customer_id": ({"total": 1}, "'customer_id' is a required property"),
    "a customer_id too long": ({"customer_id": "c" * 65, "total": 1}, "too long"),
    "a fractional expiry": ({"customer_id": "alice", "total": 1, "expires_at": 1.5},
                            "integer"),
}


@pytest.mark.parametrize("case", REFUSED_ORDERS)
def test_data_the_schema_refuses_is_the_gateways_400_and_the_functions_alike(
        case, http, stack, dynamodb, invocations, monkeypatch):
    data, reason = REFUSED_ORDERS[case]
    assert http("POST", "/orders", {"id": "s-kept", "data": {
        "customer_id": "alice", "total": 1}})[0] == 201
    try:
        invocations.clear()
        # Through the local API: the launched template's OrdersNewItem and
        # OrdersItemChange models refuse it, and the function is never invoked.
        for method, target in (("POST", "/orders"), ("PUT", "/orders/s-kept")):
            message = _error(http(method, target, {"data": data}), 400, "BAD_REQUEST_BODY")
            assert message.startswith(GATEWAY_BODY_MESSAGE) and reason in message, \
                (method, message)
        assert invocations == [], "the gateway answered without invoking the function"
        # The launched function itself, invoked directly as the writer with the launched
        # environment: the same 400, in the same shape, with its own wording.
        for name, value in stack.function_env.items():
            monkeypatch.setenv(name, value)
        claims = rest_api_claims(jwt.decode(http.token, options={"verify_signature": False}))
        for method, resource, item_id in (("POST", "/orders", None),
                                          ("PUT", "/orders/{id}", "s-kept")):
            event = proxy_event(Request(method, resource, item_id,
                                        body=json.dumps({"data": data}),
                                        headers=JSON_HEADERS),
                                "dev", {"authorizer": {"claims": claims}})
            reply = handler.handle(event, None, lambda settings: Storage(dynamodb, settings))
            message = _error((reply["statusCode"], reply["headers"], json.loads(reply["body"])),
                             400, "BAD_REQUEST_BODY")
            assert message.startswith(HANDLER_SCHEMA_MESSAGE), (method, message)
        assert len(invocations) == 2
        assert _table_ids(dynamodb, ORDERS) == {"s-kept"}, "nothing was created"
        assert http("GET", "/orders/s-kept")[2]["data"] == {"customer_id": "alice", "total": 1}
    finally:
        _forget(dynamodb, ORDERS, ["s-kept"])


def test_an_expired_item_is_gone_for_the_api_and_still_in_the_table(http, dynamodb):
    now = int(time.time())
    items = {"e-past": now - 3600, "e-now": now, "e-future": now + 3600}
    try:
        for item_id, expires_at in items.items():
            status, _, created = http("POST", "/orders", {"id": item_id, "data": {
                "customer_id": "ttl-carol", "total": 1, "expires_at": now + 3600}})
            assert status == 201 and "expires_at" not in created, (item_id, created)
            # Time passes: the expiry becomes `expires_at` (a write of a past one is a 400).
            dynamodb.update_item(
                TableName=ORDERS, Key={"id": {"S": item_id}},
                UpdateExpression="SET expires_at = :at, #data.expires_at = :at",
                ExpressionAttributeNames={"#data": "data"},
                ExpressionAttributeValues={":at": {"N": str(expires_at)}})
        _error(http("POST", "/orders", {"data": {"customer_id": "ttl-carol", "total": 1,
                                                 "expires_at": now - 60}}),
               400, "BAD_REQUEST_BODY")
        assert _ids(_page(http, "/orders?customer_id=ttl-carol")) == ["e-future"]
        assert _query_ids(http, "/orders", "customer_id=ttl-carol", 1) == ["e-future"]
        listed = set(_all_ids(http, "/orders", limit=1))
        assert "e-future" in listed and not listed & {"e-past", "e-now"}, listed
        assert http("GET", "/orders/e-future")[0] == 200
        for item_id in ("e-past", "e-now"):
            _error(http("GET", f"/orders/{item_id}"), 404, "NOT_FOUND")
            _error(http("PUT", f"/orders/{item_id}", {"data": {
                "customer_id": "ttl-carol", "total": 2}}), 404, "NOT_FOUND")
            _error(http("DELETE", f"/orders/{item_id}"), 404, "NOT_FOUND")
        # The local AWS never deletes by TTL: both expired items are still stored, with
        # their top-level mirrors, untouched by the refused PUT and DELETE.
        stored = {item["id"]["S"]: item for item in dynamodb.scan(TableName=ORDERS)["Items"]}
        for item_id, expires_at in items.items():
            assert stored[item_id]["expires_at"] == {"N": str(expires_at)}, item_id
            assert stored[item_id]["customer_id"] == {"S": "ttl-carol"}, item_id
            assert stored[item_id]["data"]["M"]["total"] == {"N": "1"}, item_id
        # An expired item's id is free: a POST makes a new item there.
        status, _, again = http("POST", "/orders", {"id": "e-past", "data": {
            "customer_id": "ttl-carol", "total": 3}})
        assert status == 201 and again["version"] != \
            f'1-{stored["e-past"]["incarnation"]["S"]}', "a new incarnation"
        assert http("GET", "/orders/e-past")[2]["data"] == {"customer_id": "ttl-carol",
                                                            "total": 3}
        assert sorted(_ids(_page(http, "/orders?customer_id=ttl-carol"))) == [
            "e-future", "e-past"]
        assert "expires_at" not in dynamodb.get_item(
            TableName=ORDERS, Key={"id": {"S": "e-past"}})["Item"], "the mirror went too"
    finally:
        _forget(dynamodb, ORDERS, items)


def test_make_backfill_brings_older_items_under_the_index(http, project, local_aws,
                                                          dynamodb, capsys):
    """`make backfill ENV=dev ENDPOINT=<local AWS>`'s command: an item written before
    orders had its index (no mirror) joins its query, once."""
    from localdev import backfill

    dynamodb.put_item(TableName=ORDERS, Item={
        "id": {"S": "pre-rules"},
        "data": {"M": {"customer_id": {"S": "bf-hal"}, "total": {"N": "1"}}},
        "created_at": {"S": "2026-01-01T00:00:00.000Z"},
        "updated_at": {"S": "2026-01-01T00:00:00.000Z"}})
    try:
        assert _query_ids(http, "/orders", "customer_id=bf-hal", 5) == []
        command = ["--env", "dev", "--project", str(project),
                   "--endpoint-url", local_aws.endpoint]
        assert backfill.main(command) == 0
        out = capsys.readouterr().out
        assert f"/orders ({ORDERS}): " in out and "1 brought under its rules" in out, out
        assert f"/customers ({CUSTOMERS}): " in out, out
        assert _query_ids(http, "/orders", "customer_id=bf-hal", 5) == ["pre-rules"]
        assert backfill.main(command) == 0
        assert "0 brought under its rules" in capsys.readouterr().out
    finally:
        _forget(dynamodb, ORDERS, ["pre-rules"])
