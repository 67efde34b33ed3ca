"""CodeDeploy's BeforeAllowTraffic hook: check the NEW version before users reach it.

CodeDeploy invokes this function with {"DeploymentId", "LifecycleEventHookExecutionId"}
before it shifts any traffic. The event does not say which version is new, so the
template sets NEW_VERSION_ENV to the Ref of the version it publishes (SAM's
convention). We invoke that version directly with the release checks as API
Gateway proxy events and report Succeeded only if every check passed; anything
else (a failed check, an exception of ours) reports Failed, so CodeDeploy stops
and rolls back instead of waiting an hour for an answer.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any, Callable, Optional

from data_api import routes
from deploy_hooks import checks

NEW_VERSION_ENV = "NewVersion"  # ARN of the version under test (Ref of AWS::Lambda::Version)
STAGE_ENV = "STAGE"  # the stage name the events carry
# JSON: the requestContext part API Gateway's authorizer would add for a trusted writer
# (the template writes it from the stack's auth mode; see data_api.authz).
CALLER_ENV = "CALLER_CONTEXT"
# Comma-separated paths of the collections to check (`/data,/orders`).
COLLECTIONS_ENV = "COLLECTION_PATHS"
# {path: data} of the collections whose schema the checks' item must satisfy.
EXAMPLES_ENV = "COLLECTION_EXAMPLES"
# Time a check may need: the longest API function timeout API Gateway allows (29 s), plus
# the report to CodeDeploy. With less left, the rest fail unsent and the hook reports.
REQUEST_BUDGET_MS = 35_000
SUCCEEDED, FAILED = "Succeeded", "Failed"

LOG = logging.getLogger("deploy_hooks")
LOG.setLevel(logging.INFO)


def lambda_transport(client: Any, function_arn: str, stage: str,
                     caller: Optional[dict[str, Any]] = None) -> checks.Transport:
    """Send each request as a proxy event straight to `function_arn` (lambda:Invoke)."""
    def send(request: checks.Request) -> checks.Answer:
        event = checks.proxy_event(request, stage, caller)
        reply = client.invoke(FunctionName=function_arn, InvocationType="RequestResponse",
                              Payload=json.dumps(event).encode())
        raw = reply["Payload"].read()
        if reply.get("FunctionError"):  # raised or timed out: API Gateway would answer 502
            return checks.Answer(502, {}, raw.decode("utf-8", "replace"))
        try:
            result = json.loads(raw) if raw else None
        except ValueError:
            result = raw.decode("utf-8", "replace")
        return checks.answer_from_proxy(result)
    return send


def handle(event: Any, lambda_client: Any, codedeploy_client: Any,
           env: Optional[dict[str, str]] = None,
           remaining_ms: Callable[[], int] = lambda: 900_000) -> dict[str, Any]:
    """Run the checks on the new version and report to CodeDeploy; `remaining_ms`: the
    invocation's time left (Lambda's context), so the report is always sent in time."""
    env = dict(os.environ if env is None else env)
    event = event if isinstance(event, dict) else {}
    deployment_id = event.get("DeploymentId")
    execution_id = event.get("LifecycleEventHookExecutionId")
    results: list[checks.Result] = []
    status = FAILED
    try:
        version = env[NEW_VERSION_ENV]
        send = lambda_transport(lambda_client, version, env.get(STAGE_ENV, "live"),
                                json.loads(env.get(CALLER_ENV) or "{}"))
        paths = [p for p in env.get(COLLECTIONS_ENV, "").split(",") if p]
        results = checks.run_checks(send, collections=paths or [routes.COLLECTION],
                                    has_time=lambda: remaining_ms() > REQUEST_BUDGET_MS,
                                    examples=json.loads(env.get(EXAMPLES_ENV) or "{}"))
        status = SUCCEEDED if results and all(r.passed for r in results) else FAILED
        LOG.info(json.dumps({"event": "release_checks", "version": version, "status": status,
                             "results": [r.__dict__ for r in results]}))
    except Exception:  # report Failed rather than leave CodeDeploy waiting
        LOG.exception("release checks could not run")
    if deployment_id and execution_id:
        codedeploy_client.put_lifecycle_event_hook_execution_status(
            deploymentId=deployment_id, lifecycleEventHookExecutionId=execution_id,
            status=status)
    else:
        LOG.error("not invoked by CodeDeploy (no DeploymentId/LifecycleEventHookExecutionId); "
                  "status %s not reported", status)
    return {"status": status, "results": [r.__dict__ for r in results]}


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    import boto3  # the runtime's; deferred so importing this module stays cheap

    return handle(event, boto3.client("lambda"), boto3.client("codedeploy"),
                  remaining_ms=context.get_remaining_time_in_millis)
