"""Handler benchmarks against one local DynamoDB (moto server): cold, warm, list, local API.

Access control is on in every row, as deployed: the function has the dev template's
AUTH_* variables, every event carries what API Gateway passes for an authorized caller
(bench/callers.py), and the local API verifies a signed token with the template's
Cognito authorizer."""

from __future__ import annotations

import json
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Callable

import boto3

from bench import callers, seed
from bench.measure import Sample, repeat_call, run_process
from data_api.handler import handle
from data_api.storage import Storage
from tests import auth_context

TABLE = "bench-items"
KEY = {"id": {"S": "k"}}
GET_EVENT = {"httpMethod": "GET", "resource": "/data/{id}", "path": "/data/k",
             "pathParameters": {"id": "k"}, "headers": None, "body": None,
             "requestContext": {"requestId": "bench", "path": "/dev/data/k",
                                **callers.for_method("GET")}}
OURS = ("import json\nfrom data_api.handler import lambda_handler\n"
        f"r = lambda_handler({GET_EVENT!r}, None)\nassert r['statusCode'] == 200, r\n")
SEED = ("import lambda_function\n"
        f"r = lambda_function.lambda_handler({GET_EVENT!r}, None)\n"
        "assert r['statusCode'] == 200, r\n")
FLOOR = ("import boto3\nc = boto3.client('dynamodb')\n"
         f"assert 'Item' in c.get_item(TableName={TABLE!r}, Key={KEY!r}, ConsistentRead=True)\n")


def create_table(client: Any) -> None:
    client.create_table(TableName=TABLE, KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5})
    # Strings only: the seed's handler cannot serialise DynamoDB numbers (Decimal).
    client.put_item(TableName=TABLE, Item={"id": {"S": "k"}, "data": {"S": "hello"}})


def cold_start(env: dict[str, str], runs: int) -> dict[str, Sample]:
    """Fresh interpreter: import, first GET of one item by an authorized reader (the
    same event and environment for ours and the seed). Interleaved to share drift."""
    results: dict[str, list[float]] = {"ours": [], "seed": [], "floor": []}
    env = {**env, **auth_context.function_env(), "COLLECTIONS": json.dumps({"/data": TABLE}),
           "DYNAMODB_TABLE_NAME": TABLE, "LOG_LEVEL": "INFO"}
    with tempfile.TemporaryDirectory() as seed_dir:
        seed.extract(Path(seed_dir))
        for _ in range(runs):
            for name, code, cwd in (("ours", OURS, None), ("seed", SEED, seed_dir),
                                    ("floor", FLOOR, None)):
                wall, _, _ = run_process([sys.executable, "-c", code], env=env, cwd=cwd)
                results[name].append(wall)
    return {name: Sample(seconds) for name, seconds in results.items()}


def _event(method: str, item_id: str | None, body: Any = None) -> dict[str, Any]:
    path = f"/data/{item_id}" if item_id else "/data"
    return {"httpMethod": method, "resource": "/data/{id}" if item_id else "/data",
            "path": path, "pathParameters": {"id": item_id} if item_id else None,
            "headers": {"Content-Type": "application/json"},
            "body": json.dumps(body) if body is not None else None,
            "requestContext": {"requestId": "bench", "path": "/dev" + path,
                               **callers.for_method(method)}}


def warm(client: Any, runs: int) -> dict[str, tuple[Sample, Sample]]:
    """Per request, handler vs the bare boto3 call it makes, same endpoint and arguments."""
    storage = Storage(client, TABLE)
    call = lambda event: handle(event, None, lambda _table: storage)  # noqa: E731
    ids = iter(range(10**9))
    new_id = lambda: f"w{next(ids)}"  # noqa: E731
    pool = [new_id() for _ in range(2 * (runs + 3))]  # DELETE needs a fresh item per call
    for item_id in pool:
        storage.create(item_id, "x")
    deletes_h, deletes_b = iter(pool[: runs + 3]), iter(pool[runs + 3:])
    put = {"TableName": TABLE, "ConditionExpression": "attribute_not_exists(id)"}
    # What the handler stores with a new item, besides its id and data.
    now = {"S": "2026-01-01T00:00:00.000Z"}  # a timestamp as the handler writes it
    stamps = {"created_at": now, "updated_at": now, "version": {"N": "1"},
              "incarnation": {"S": "0" * 16}}
    # The handler's write condition: the item exists and its version is a number.
    delete = {"TableName": TABLE, "ExpressionAttributeNames": {"#version": "version"},
              "ExpressionAttributeValues": {":number": {"S": "N"}},
              "ConditionExpression": ("attribute_exists(id) AND (attribute_not_exists("
                                      "#version) OR attribute_type(#version, :number))")}
    storage.create("w", "x")
    update = {"TableName": TABLE, "Key": {"id": {"S": "w"}},
              "ConditionExpression": ("attribute_exists(id) AND (attribute_not_exists(#v) "
                                      "OR attribute_type(#v, :number))"),
              "UpdateExpression": ("SET #data = :data, updated_at = :now, "
                                   "#v = if_not_exists(#v, :zero) + :one, "
                                   "#i = if_not_exists(#i, :i)"),
              "ExpressionAttributeNames": {"#data": "data", "#v": "version", "#i": "incarnation"},
              "ReturnValues": "ALL_NEW",
              "ExpressionAttributeValues": {":data": {"S": "y"}, ":now": now,
                                            ":one": {"N": "1"}, ":zero": {"N": "0"},
                                            ":number": {"S": "N"}, ":i": {"S": "0" * 16}}}
    pairs: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {
        "GET": (lambda: call(_event("GET", "w")),
                lambda: client.get_item(TableName=TABLE, Key={"id": {"S": "w"}},
                                        ConsistentRead=True)),
        "POST": (lambda: call(_event("POST", None, {"id": new_id(), "data": "x"})),
                 lambda: client.put_item(Item={"id": {"S": new_id()}, "data": {"S": "x"},
                                               **stamps}, **put)),
        "PUT": (lambda: call(_event("PUT", "w", {"data": "y"})),
                lambda: client.update_item(**update)),
        "DELETE": (lambda: call(_event("DELETE", next(deletes_h))),
                   lambda: client.delete_item(Key={"id": {"S": next(deletes_b)}}, **delete)),
    }
    return {verb: interleaved(ours, bare, runs) for verb, (ours, bare) in pairs.items()}


def interleaved(ours: Callable[[], Any], bare: Callable[[], Any],
                runs: int) -> tuple[Sample, Sample]:
    """Alternate the two calls so drift in the local server hits both alike."""
    for _ in range(3):
        ours(), bare()
    times: tuple[list[float], list[float]] = ([], [])
    for _ in range(runs):
        for fn, bucket in ((ours, times[0]), (bare, times[1])):
            started = time.perf_counter()
            fn()
            bucket.append(time.perf_counter() - started)
    return Sample(times[0]), Sample(times[1])


def list_pages_per_second(client: Any, items: int = 10_000, limit: int = 100) -> tuple[float, int]:
    """Fill the table to `items`, then walk every page of GET /data."""
    existing = client.describe_table(TableName=TABLE)["Table"].get("ItemCount", 0)
    for start in range(0, items, 25):
        client.batch_write_item(RequestItems={TABLE: [
            {"PutRequest": {"Item": {"id": {"S": f"l{n:05d}"}, "data": {"S": "x" * 100},
                                     "version": {"N": "1"}}}}
            for n in range(start, min(start + 25, items))]})
    storage = Storage(client, TABLE)
    pages, token, seen = 0, None, 0
    started = time.perf_counter()
    while True:
        event = _event("GET", None)
        event["queryStringParameters"] = {"limit": str(limit), **({"next": token} if token else {})}
        body = json.loads(handle(event, None, lambda _table: storage)["body"])
        pages, seen = pages + 1, seen + body["count"]
        token = body.get("next")
        if not token:
            break
    assert seen >= items + existing - 1000, seen
    return pages / (time.perf_counter() - started), seen


def local_api(base: str, token: str, concurrency: int, requests: int) -> tuple[Sample, float]:
    """Bounded GET load on the local API (loopback only), each request with the reader's
    token (anything but a 200 raises); per-request latency."""
    request = urllib.request.Request(f"{base}/dev/data/k",
                                     headers={"Authorization": f"Bearer {token}"})

    def one(_: int) -> float:
        started = time.perf_counter()
        with urllib.request.urlopen(request, timeout=10) as reply:
            reply.read()
        return time.perf_counter() - started

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        started = time.perf_counter()
        latencies = list(pool.map(one, range(requests)))
        wall = time.perf_counter() - started
    return Sample(latencies), requests / wall


def direct_calls(client: Any, requests: int) -> tuple[Sample, float]:
    storage = Storage(client, TABLE)
    started = time.perf_counter()
    sample = repeat_call(lambda: handle(dict(GET_EVENT), SimpleNamespace(aws_request_id=str(
        uuid.uuid4())), lambda _table: storage), requests, warmup=0)
    return sample, requests / (time.perf_counter() - started)


def client_for(endpoint: str, region: str) -> Any:
    return boto3.client("dynamodb", endpoint_url=endpoint, region_name=region,
                        aws_access_key_id="local", aws_secret_access_key="local")


def function_env() -> dict[str, str]:
    """The function's environment variables as the dev template sets them."""
    return {"COLLECTIONS": json.dumps({"/data": TABLE}), "CORS_ORIGIN": "*",
            **auth_context.function_env()}


def start_local_api(template: dict, authorizers: dict[str, Any]) -> tuple[Any, str]:
    """The local API of `template` (its methods' authorizers: `authorizers`) on a free
    port, serving in a thread; (server, base URL)."""
    from localdev.apiserver import LocalApi, serve
    from localdev.localaws import free_port

    # The load rows send far more than the stage's throttle allows (dev: 10/s): they
    # measure the local API's own cost, so its throttle is lifted here alone.
    app = LocalApi(template, function_env(), log=lambda _: None, authorizers=authorizers,
                   throttle=False)
    server = serve(app, "127.0.0.1", free_port())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_port}"
