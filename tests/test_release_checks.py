"""The pre-traffic check's logic: real boto3 clients, our handler as the "new version".

moto cannot run a Lambda (no Docker here), so lambda:Invoke gets an in-process
transport: a botocore before-send handler on the real client runs the data API
handler against moto's DynamoDB and answers like Lambda does. moto 5.2.5's
CodeDeploy has no PutLifecycleEventHookExecutionStatus, so that client is wrapped
in botocore's Stubber, which checks the exact parameters of the call.
"""

from __future__ import annotations

import io
import json
from typing import Any, Callable

import boto3
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber

from data_api.handler import handle
from data_api.storage import Storage
from deploy_hooks import checks, pretraffic
from tests.auth_context import release_caller_context
from tests.helpers import REGION

VERSION_ARN = f"arn:aws:lambda:{REGION}:123456789012:function:serverless-data-prod-api:7"
HOOK_EVENT = {"DeploymentId": "d-ABCDEFGHI", "LifecycleEventHookExecutionId": "exec-123"}


class _Body(io.BytesIO):
    def stream(self, **_kwargs: Any):
        yield self.getvalue()


class InProcessLambda:
    """A real boto3 Lambda client whose Invoke runs `function` in this process."""

    def __init__(self, function: Callable[[dict], Any]) -> None:
        self.client = boto3.client("lambda", region_name=REGION)
        self.invoked: list[str] = []
        self.function = function
        self.client.meta.events.register("before-send.lambda.Invoke", self._answer)

    def _answer(self, request: Any, **_kwargs: Any) -> AWSResponse:
        self.invoked.append(request.url.split("/functions/", 1)[1].split("/", 1)[0])
        headers = {"X-Amz-Executed-Version": "7"}
        try:
            result = self.function(json.loads(request.body))
        except Exception as error:  # Lambda reports an unhandled error like this
            headers["X-Amz-Function-Error"] = "Unhandled"
            result = {"errorMessage": str(error), "errorType": type(error).__name__}
        return AWSResponse(request.url, 200, headers, _Body(json.dumps(result).encode()))


def _codedeploy(status: str) -> tuple[Any, Stubber]:
    client = boto3.client("codedeploy", region_name=REGION)
    stubber = Stubber(client)
    stubber.add_response(
        "put_lifecycle_event_hook_execution_status",
        {"lifecycleEventHookExecutionId": HOOK_EVENT["LifecycleEventHookExecutionId"]},
        {"deploymentId": HOOK_EVENT["DeploymentId"],
         "lifecycleEventHookExecutionId": HOOK_EVENT["LifecycleEventHookExecutionId"],
         "status": status})
    stubber.activate()
    return client, stubber


def _env() -> dict[str, str]:
    # The caller context the cognito template gives the hook (its Sub resolved to the
    # machine client the test function environment allows).
    return {pretraffic.NEW_VERSION_ENV: VERSION_ARN, pretraffic.STAGE_ENV: "prod",
            pretraffic.CALLER_ENV: release_caller_context()}


def _items(dynamodb: Any, table: str = "items") -> list[str]:
    return sorted(i["id"]["S"] for i in dynamodb.scan(TableName=table)["Items"])


def test_a_good_version_is_reported_succeeded_and_leaves_data_alone(dynamodb, monkeypatch):
    monkeypatch.setenv("CORS_ORIGIN", "*")
    storage = Storage(dynamodb, "items")
    storage.create("keep-me", {"n": 1})
    version = InProcessLambda(lambda event: handle(event, None, lambda _table: storage))
    codedeploy, stubber = _codedeploy(pretraffic.SUCCEEDED)

    outcome = pretraffic.handle(HOOK_EVENT, version.client, codedeploy, _env())

    stubber.assert_no_pending_responses()
    assert outcome["status"] == "Succeeded", outcome["results"]
    assert len(outcome["results"]) == 5 and all(r["passed"] for r in outcome["results"])
    # Every request went to the new version, never to the alias or $LATEST.
    assert set(version.invoked) == {VERSION_ARN.replace(":", "%3A")}
    assert _items(dynamodb) == ["keep-me"]


def test_a_version_that_answers_500_is_reported_failed(dynamodb, monkeypatch):
    """The new version cannot reach its table (say, a broken role): it answers 500."""
    monkeypatch.setenv("CORS_ORIGIN", "*")
    broken = Storage(dynamodb, "no-such-table")
    version = InProcessLambda(lambda event: handle(event, None, lambda _table: broken))
    codedeploy, stubber = _codedeploy(pretraffic.FAILED)

    outcome = pretraffic.handle(HOOK_EVENT, version.client, codedeploy, _env())

    stubber.assert_no_pending_responses()
    assert outcome["status"] == "Failed"
    failed = {r["name"]: r["detail"] for r in outcome["results"] if not r["passed"]}
    assert "list a page" in failed and "got 500" in failed["list a page"]


def test_a_version_that_crashes_is_reported_failed(dynamodb):
    def crash(event: dict) -> Any:
        raise RuntimeError("init failed")

    version = InProcessLambda(crash)
    codedeploy, stubber = _codedeploy(pretraffic.FAILED)
    outcome = pretraffic.handle(HOOK_EVENT, version.client, codedeploy, _env())
    stubber.assert_no_pending_responses()
    assert outcome["status"] == "Failed"
    assert all("got 502" in r["detail"] for r in outcome["results"])


def test_without_the_version_to_check_it_still_reports_failed(dynamodb):
    version = InProcessLambda(lambda event: pytest.fail("nothing may be invoked"))
    codedeploy, stubber = _codedeploy(pretraffic.FAILED)
    outcome = pretraffic.handle(HOOK_EVENT, version.client, codedeploy, {})
    stubber.assert_no_pending_responses()
    assert outcome == {"status": "Failed", "results": []}


def test_the_events_are_api_gateway_proxy_events_with_the_stage(dynamodb, monkeypatch):
    monkeypatch.setenv("CORS_ORIGIN", "*")
    storage = Storage(dynamodb, "items")
    seen: list[dict] = []

    def record(event: dict) -> Any:
        seen.append(event)
        return handle(event, None, lambda _table: storage)

    version = InProcessLambda(record)
    codedeploy, _ = _codedeploy(pretraffic.SUCCEEDED)
    pretraffic.handle(HOOK_EVENT, version.client, codedeploy, _env())
    routes = {(e["httpMethod"], e["resource"]) for e in seen}
    assert routes == {("GET", "/data"), ("GET", "/data/{id}"), ("POST", "/data"),
                      ("DELETE", "/data/{id}")}
    for event in seen:
        assert event["requestContext"]["stage"] == "prod"
        assert event["requestContext"]["path"] == "/prod" + event["path"]
        if event["resource"] == "/data/{id}":
            assert event["pathParameters"]["id"].startswith(checks.SMOKE_ID_PREFIX)


def test_out_of_time_the_hook_sends_no_more_checks_and_still_reports_failed(dynamodb,
                                                                            monkeypatch):
    """Each collection's checks may take the function's timeout; with many collections the
    hook's own 900 s could end first. Below the budget it stops sending and reports."""
    monkeypatch.setenv("CORS_ORIGIN", "*")
    storage = Storage(dynamodb, "items")
    version = InProcessLambda(lambda event: handle(event, None, lambda _table: storage))
    codedeploy, stubber = _codedeploy(pretraffic.FAILED)
    left = iter([pretraffic.REQUEST_BUDGET_MS + 1, pretraffic.REQUEST_BUDGET_MS + 1])

    outcome = pretraffic.handle(HOOK_EVENT, version.client, codedeploy, _env(),
                                remaining_ms=lambda: next(left, 0))

    stubber.assert_no_pending_responses()  # CodeDeploy heard back
    assert outcome["status"] == "Failed"
    # Nothing was created, so there is nothing to delete either.
    assert [r["passed"] for r in outcome["results"]] == [True, True, False, False]
    assert all("ran out of time" in r["detail"] for r in outcome["results"][2:])
    assert len(version.invoked) == 2


def test_the_hook_checks_every_collection_it_is_given(dynamodb, monkeypatch):
    monkeypatch.setenv("CORS_ORIGIN", "*")
    monkeypatch.setenv("COLLECTIONS", '{"/data": "items", "/orders": "items"}')
    storage = Storage(dynamodb, "items")
    version = InProcessLambda(lambda event: handle(event, None, lambda _table: storage))
    codedeploy, stubber = _codedeploy(pretraffic.SUCCEEDED)

    outcome = pretraffic.handle(HOOK_EVENT, version.client, codedeploy,
                                {**_env(), pretraffic.COLLECTIONS_ENV: "/data,/orders"})

    stubber.assert_no_pending_responses()
    assert outcome["status"] == "Succeeded", outcome["results"]
    names = [r["name"] for r in outcome["results"]]
    assert len(names) == 10 and {n.split(":")[0] for n in names} == {"/data", "/orders"}
