"""Read a launched API stack back from (local) AWS: outputs, template, function env."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import boto3
import yaml

FUNCTION_ARN_OUTPUT = "LambdaFunctionArn"


@dataclass(frozen=True)
class LaunchedStack:
    name: str
    outputs: dict[str, str]
    template: dict[str, Any]
    function_env: dict[str, str]

    @property
    def physical_ids(self) -> dict[str, str]:
        """Logical id -> physical id, for each resource an output names by `Ref`
        (moto's ListStackResources crashes on stacks with types it skips)."""
        return {spec["Value"]["Ref"]: self.outputs[key]
                for key, spec in self.template.get("Outputs", {}).items()
                if isinstance(spec.get("Value"), dict) and set(spec["Value"]) == {"Ref"}
                and key in self.outputs}


def read_stack(name: str, region: str) -> LaunchedStack:
    """Everything the local API needs, from the stack as CloudFormation has it."""
    cloudformation = boto3.client("cloudformation", region_name=region)
    stack = cloudformation.describe_stacks(StackName=name)["Stacks"][0]
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}
    body = cloudformation.get_template(StackName=name)["TemplateBody"]
    # boto3 decodes a JSON body to a dict; a body led by a YAML marker stays text.
    template = body if isinstance(body, dict) else yaml.safe_load(body)
    # The function from the stack's own output (moto's describe_stack_resource
    # crashes on stacks holding resource types it does not model).
    config = boto3.client("lambda", region_name=region).get_function_configuration(
        FunctionName=outputs[FUNCTION_ARN_OUTPUT])
    env = config.get("Environment", {}).get("Variables", {})
    return LaunchedStack(name, outputs, template, env)
