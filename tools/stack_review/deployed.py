"""The templates deployed for one environment: CloudFormation GetTemplate (the original
stage) and DescribeStacks through each stack's own Sceptre connection settings (profile,
region, role; AWS_ENDPOINT_URL reaches the local AWS of `make up`). Runs in the worker."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from stack_review.worker import parse_template, plan_of


def _stack_facts(stack: Any) -> dict[str, Any]:
    """Parameters and tags of the deployed stack."""
    described = stack.connection_manager.call(
        service="cloudformation", command="describe_stacks",
        kwargs={"StackName": stack.external_name})["Stacks"][0]
    return {"parameters": {p["ParameterKey"]: p.get("ParameterValue", "")
                           for p in described.get("Parameters", [])},
            "tags": {t["Key"]: t["Value"] for t in described.get("Tags", [])}}


def fetch(project: Path, environment: str) -> dict[str, Any]:
    """{"stacks": {...}} of every stack of `environment` that exists in the account."""
    plan = plan_of(project, environment)
    stacks = {}
    # Sceptre's own `fetch_remote_template` (GetTemplate, TemplateStage Original): None
    # when the stack does not exist (plan/actions.py _fetch_original_template_stage).
    for stack, body in sorted(plan.fetch_remote_template().items(), key=lambda i: i[0].name):
        if body is None:
            continue
        stacks[stack.name] = {"external_name": stack.external_name, "region": stack.region,
                              **_stack_facts(stack), "template": parse_template(body)}
    return {"stacks": stacks}
