"""The pre-traffic check: a function CodeDeploy runs before it shifts any traffic.

Its code is handlers/deploy_hooks (same artifact as the API). Its role is granted
here, exactly (SAM leaves hook permissions to the user, and its service role may
invoke only functions named CodeDeployHook_*: SAM issue #3194):
- invoke the version under test only (the Version's Ref, arn:...:function:<name>:<n>),
  not the function's other versions, nor $LATEST or the live alias;
- report to this deployment group only;
- write its own log group, and its X-Ray traces (tracing is on, like the API's).
No AWS::Lambda::Permission names it, so API Gateway cannot invoke it; CodeDeploy
calls it with the service role of deploy.py, which names its exact ARN.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from awacs import codedeploy as awacs_codedeploy
from awacs import logs as awslogs
from awacs.aws import Allow, PolicyDocument, Statement
from awacs.awslambda import InvokeFunction
from awacs.helpers.trust import get_lambda_assumerole_policy
from troposphere import GetAtt, Ref, Sub, awslambda, iam, logs

from deploy_hooks.checks import REQUEST_COUNT
from deploy_hooks.pretraffic import (CALLER_ENV, COLLECTIONS_ENV, EXAMPLES_ENV, NEW_VERSION_ENV,
                                    STAGE_ENV)
from data_api_stack import ids
from data_api_stack.collection import collection_paths
from data_api_stack.config import StackConfig
from data_api_stack.function import JsonLoggingConfig, checked_environment
from data_api_stack.iam import xray_statement
from data_api_stack.logs import log_group

MAX_TIMEOUT = 900  # Lambda's longest function timeout, in seconds
# The check's role ARN in CALLER_CONTEXT, at its longest: a 64-character role name.
ROLE_ARN_BYTES = 128

HANDLER = "deploy_hooks.pretraffic.lambda_handler"


def hook_function_name(cfg: StackConfig) -> str:
    return f"{cfg.resource_prefix}-pretraffic-check"


def application_name(cfg: StackConfig) -> str:
    return f"{cfg.resource_prefix}-api"


def deployment_group_name(cfg: StackConfig) -> str:
    return f"{cfg.resource_prefix}-api-live"


def deployment_group_arn(cfg: StackConfig) -> Sub:
    """From the names, not Refs: the group depends (via its service role) on this hook."""
    return Sub("arn:${AWS::Partition}:codedeploy:${AWS::Region}:${AWS::AccountId}:"
               f"deploymentgroup:{application_name(cfg)}/{deployment_group_name(cfg)}")


def _hook_policy(cfg: StackConfig, version: awslambda.Version,
                 log_group_resource: logs.LogGroup) -> PolicyDocument:
    return PolicyDocument(Version="2012-10-17", Statement=[
        # A Version's Ref is its qualified ARN: exactly the version CodeDeploy releases,
        # the one the check's event names (NEW_VERSION_ENV). Each release publishes a
        # new Version resource, so the grant moves with it.
        Statement(Sid="InvokeTheVersionUnderTest", Effect=Allow, Action=[InvokeFunction],
                  Resource=[Ref(version)]),
        Statement(Sid="ReportToThisDeploymentGroup", Effect=Allow,
                  Action=[awacs_codedeploy.PutLifecycleEventHookExecutionStatus],
                  Resource=[deployment_group_arn(cfg)]),
        Statement(Sid="OwnLogGroup", Effect=Allow,
                  Action=[awslogs.CreateLogStream, awslogs.PutLogEvents],
                  Resource=[GetAtt(log_group_resource, "Arn")]),
        xray_statement(),
    ])


def build_hook(cfg: StackConfig, fn: awslambda.Function, version: awslambda.Version,
               caller: Callable[[Any], Any]) -> tuple[awslambda.Function, list]:
    """(hook function, [its log group, role, function]); `caller(role_arn)`: the
    CALLER_CONTEXT the checks' events carry (auth.AuthParts.release_caller)."""
    group = log_group(ids.PRETRAFFIC_HOOK_LOG_GROUP,
                      f"/aws/lambda/{hook_function_name(cfg)}", cfg)
    role = iam.Role(
        ids.PRETRAFFIC_HOOK_ROLE,
        Description=f"Pre-traffic check of {cfg.environment} releases: invokes the new "
                    "version, reports to CodeDeploy",
        AssumeRolePolicyDocument=get_lambda_assumerole_policy(),
        Policies=[iam.Policy(PolicyName="least-privilege",
                             PolicyDocument=_hook_policy(cfg, version, group))])
    code = fn.Code  # the same artifact: the checks ship with the code they check
    examples = {c.path: c.example for c in cfg.collections if c.example is not None}
    hook = awslambda.Function(
        ids.PRETRAFFIC_HOOK,
        FunctionName=hook_function_name(cfg),
        Description=f"Data API ({cfg.environment}): checks a new version before CodeDeploy "
                    "shifts traffic to it",
        Runtime=cfg.runtime,
        Architectures=[cfg.architecture],
        Handler=HANDLER,
        Code=awslambda.Code(S3Bucket=code.S3Bucket, S3Key=code.S3Key),
        Role=GetAtt(role, "Arn"),
        MemorySize=256,
        # Every check may take the API function's full timeout, plus start-up (at most
        # Lambda's 900 s; the checks' requests normally answer in milliseconds).
        Timeout=min(MAX_TIMEOUT, REQUEST_COUNT * len(cfg.collections) * cfg.timeout_seconds + 30),
        # One release at a time per deployment group, so one execution, reserved: it can
        # neither starve the API nor be starved by it (checkov CKV_AWS_115).
        ReservedConcurrentExecutions=1,
        Environment=awslambda.Environment(Variables=checked_environment(cfg, {
            NEW_VERSION_ENV: Ref(version), STAGE_ENV: cfg.environment,
            COLLECTIONS_ENV: ",".join(collection_paths(cfg.collections)),
            **({EXAMPLES_ENV: json.dumps(examples, separators=(",", ":"))}
               if examples else {}),
            CALLER_ENV: caller(GetAtt(role, "Arn"))}, "the pre-traffic check's",
            f" (its {EXAMPLES_ENV} carries each collection's example item: smaller examples "
            "fit more)", unknown=ROLE_ARN_BYTES)),
        TracingConfig=awslambda.TracingConfig(Mode="Active"),  # as the API function's
        LoggingConfig=JsonLoggingConfig(LogFormat="JSON", LogGroup=Ref(group),
                                        ApplicationLogLevel="INFO", SystemLogLevel="WARN"),
    )
    return hook, [group, role, hook]
