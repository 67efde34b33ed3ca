"""The local AWS is atomic per DynamoDB request, as DynamoDB is: no lost If-Match write.

Runs the handler against moto's server as `make up` starts it (moto_server.py with its
shims), with no test-side locking: the races are the real ones.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Iterator

import boto3
import pytest

from data_api.storage import Storage
from localdev.localaws import LocalAws
from tests.api_client import JSON, ApiClient
from tests.helpers import REGION

pytestmark = pytest.mark.e2e
WRITERS = 20
ROUNDS = 8


@pytest.fixture(scope="module")
def local_aws(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalAws]:
    with LocalAws(REGION, log_path=tmp_path_factory.mktemp("logs") / "localaws.log") as aws:
        yield aws


@pytest.fixture(scope="module")
def api(local_aws: LocalAws, dev_template: dict) -> ApiClient:
    client = boto3.client("dynamodb", endpoint_url=local_aws.endpoint, region_name=REGION,
                          aws_access_key_id="local", aws_secret_access_key="local")
    props = dev_template["Resources"]["DataTable"]["Properties"]
    client.create_table(TableName="items", KeySchema=props["KeySchema"],
                        AttributeDefinitions=props["AttributeDefinitions"],
                        ProvisionedThroughput=props["ProvisionedThroughput"])
    return ApiClient(Storage(client, "items"))


@pytest.mark.parametrize("round_number", range(ROUNDS))
def test_parallel_puts_with_one_if_match_have_exactly_one_winner(api, round_number):
    item_id = f"race-{round_number}"
    etag = api.call("POST", "/data", {"id": item_id, "data": 0}).headers["ETag"]
    start = threading.Barrier(WRITERS)

    def put(writer: int) -> int:
        start.wait()
        return api.call("PUT", f"/data/{item_id}", {"data": writer},
                        headers={**JSON, "If-Match": etag}).status

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        statuses = list(pool.map(put, range(WRITERS)))
    assert sorted(statuses) == [200] + [412] * (WRITERS - 1)
    final = api.call("GET", f"/data/{item_id}")
    assert final.headers["ETag"] != etag


def test_concurrent_if_match_writers_lose_no_update(api):
    """Read-modify-write with If-Match from 8 threads: every increment lands once."""
    api.call("POST", "/data", {"id": "counter", "data": 0})

    def increment(_: int) -> None:
        while True:
            current = api.call("GET", "/data/counter")
            reply = api.call("PUT", "/data/counter", {"data": current.body["data"] + 1},
                             headers={**JSON, "If-Match": current.headers["ETag"]})
            if reply.status == 200:
                return
            assert reply.status == 412

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(increment, range(40)))
    assert api.call("GET", "/data/counter").body["data"] == 40
