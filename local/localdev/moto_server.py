"""Run moto's server (the embedded local AWS) with our compatibility shims.

Runs under .venv-localaws's Python (moto's API Gateway needs jsonschema 4, which
sceptre 4.7's environment cannot have), so it imports nothing from this project.
The shims patch moto in this process only: the templates stay what AWS gets and
what `sceptre generate` prints.

    .venv-localaws/bin/python local/localdev/moto_server.py --host 127.0.0.1 --port 5000 \
        [--parent-pid PID]
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from typing import Any

# Shim modules live beside this script (sys.path[0] when it runs as one).
from shim_codedeploy import shim_codedeploy
from shim_termination_protection import shim_termination_protection
from shim_wafv2 import shim_wafv2
import cognito_resource_server
import cognito_user_pool
import cognito_user_pool_client
import cognito_user_pool_domain
import cognito_user_pool_group


def shim_mock_integrations() -> None:
    """moto's CloudFormation reads Integration.IntegrationHttpMethod and .Uri
    unconditionally; a MOCK integration (our CORS preflight) has neither, so the
    server raised KeyError and left the stack stuck in CREATE_IN_PROGRESS.
    Give moto explicit None for the two absent keys."""
    from moto.apigateway.models import Method

    original = Method.create_from_cloudformation_json.__func__  # type: ignore[attr-defined]

    def create(cls: Any, resource_name: str, cloudformation_json: dict, *args: Any,
               **kwargs: Any) -> Any:
        integration = dict(cloudformation_json["Properties"].get("Integration") or {})
        integration.setdefault("IntegrationHttpMethod", None)
        integration.setdefault("Uri", None)
        patched = {**cloudformation_json, "Properties": {
            **cloudformation_json["Properties"], "Integration": integration}}
        return original(cls, resource_name, patched, *args, **kwargs)

    Method.create_from_cloudformation_json = classmethod(create)  # type: ignore[method-assign,assignment]


def _alias_args(props: dict) -> dict:
    return {"name": props["Name"], "function_name": props["FunctionName"],
            "function_version": str(props["FunctionVersion"]),
            "description": props.get("Description", ""),
            "routing_config": props.get("RoutingConfig")}


def shim_lambda_alias() -> None:
    """moto's CloudFormation has no AWS::Lambda::Alias (the `live` alias): the resource
    was skipped, Ref to it was empty and the invoke permissions failed. Model it on
    moto's own Lambda alias API, let GetAtt read a Version's number and Ref its ARN."""
    from moto.awslambda.models import LambdaVersion, lambda_backends
    from moto.core.common_models import CloudFormationModel

    def version_attribute(self: Any, attribute_name: str) -> Any:
        if attribute_name == "Version":
            return str(self.version)
        raise NotImplementedError(attribute_name)

    LambdaVersion.get_cfn_attribute = version_attribute  # type: ignore[attr-defined]
    LambdaVersion.has_cfn_attr = classmethod(  # type: ignore[method-assign,assignment]
        lambda cls, attr: attr == "Version")

    def create_version(cls: Any, resource_name: str, cloudformation_json: dict,
                       account_id: str, region_name: str, **kwargs: Any) -> Any:
        # moto's own keeps only the number, so Ref gave the Python object (which then
        # broke GetFunctionConfiguration of a function whose environment held it).
        published: Any = lambda_backends[account_id][region_name].publish_version(
            cloudformation_json["Properties"]["FunctionName"])
        version = LambdaVersion({"Version": published.version})  # type: ignore[abstract]
        version.arn = published.function_arn  # type: ignore[attr-defined]
        return version

    LambdaVersion.create_from_cloudformation_json = classmethod(  # type: ignore[method-assign,assignment]
        create_version)
    LambdaVersion.physical_resource_id = property(  # type: ignore[attr-defined]
        lambda self: self.arn)  # Ref of a Version is its ARN, as in CloudFormation

    class LambdaAliasModel(CloudFormationModel):
        # moto's model metaclass derives the service from the module path.
        __module__ = "moto.awslambda.localdev_shim"

        def __init__(self, alias: Any, function_name: str) -> None:
            self.alias = alias
            self.function_name = function_name

        @staticmethod
        def cloudformation_type() -> str:
            return "AWS::Lambda::Alias"

        @staticmethod
        def cloudformation_name_type() -> str:
            return "Name"

        @property
        def physical_resource_id(self) -> str:
            return self.alias.arn

        @classmethod
        def create_from_cloudformation_json(cls, resource_name: str, cloudformation_json: dict,
                                            account_id: str, region_name: str,
                                            **kwargs: Any) -> "LambdaAliasModel":
            props = cloudformation_json["Properties"]
            alias = lambda_backends[account_id][region_name].create_alias(**_alias_args(props))
            return cls(alias, props["FunctionName"])

        @classmethod
        def update_from_cloudformation_json(cls, original_resource: Any, new_resource_name: str,
                                            cloudformation_json: dict, account_id: str,
                                            region_name: str) -> "LambdaAliasModel":
            props = cloudformation_json["Properties"]
            alias = lambda_backends[account_id][region_name].update_alias(**_alias_args(props))
            return cls(alias, props["FunctionName"])

        def delete(self, account_id: str, region_name: str) -> None:
            # Called with this model (moto's delete_from_cloudformation_json gets the
            # unresolved template JSON: a {"Ref": ...} for FunctionName).
            from moto.awslambda.exceptions import UnknownFunctionException

            try:
                lambda_backends[account_id][region_name].delete_alias(self.alias.name,
                                                                      self.function_name)
            except UnknownFunctionException:
                pass  # the function went first, and its aliases with it


def shim_atomic_dynamodb() -> None:
    """DynamoDB executes each request atomically (a conditional write checks and writes
    as one step); moto's threaded server runs requests concurrently on one in-memory
    table, so two PUTs with the same If-Match could both pass the condition (measured:
    2 winners out of 20 in 3 of 16 rounds). Serialise each DynamoDB request in this
    process. Only requests, never a client's read-modify-write sequence: the race
    between a GET and its conditional PUT stays real."""

    from moto.dynamodb.responses import DynamoHandler

    original = DynamoHandler.call_action
    lock = threading.Lock()

    def call_action(self: Any) -> Any:
        with lock:
            return original(self)

    DynamoHandler.call_action = call_action  # type: ignore[method-assign]


SHIMS = (shim_mock_integrations, shim_lambda_alias, shim_atomic_dynamodb, shim_codedeploy,
         shim_termination_protection,
         shim_wafv2, cognito_user_pool.shim, cognito_user_pool_domain.shim,
         cognito_resource_server.shim, cognito_user_pool_group.shim,
         cognito_user_pool_client.shim)


def exit_with_parent(parent_pid: int, poll_seconds: float = 0.5) -> threading.Thread:
    """Exit when the process that started us is gone, however it ended (`kill -9`
    included, which runs no cleanup in the parent): then our parent pid changes (we
    are re-parented to init or a subreaper). Polling getppid works on Linux and macOS
    alike, unlike prctl(PR_SET_PDEATHSIG)."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(poll_seconds)
        os._exit(0)

    thread = threading.Thread(target=watch, name="exit-with-parent", daemon=True)
    thread.start()
    return thread


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    args = parser.parse_args(argv)
    if args.parent_pid:
        exit_with_parent(args.parent_pid)
    for shim in SHIMS:
        shim()
    from moto.server import main as moto_main

    moto_main(["--host", args.host, "--port", str(args.port)])


if __name__ == "__main__":
    main()
