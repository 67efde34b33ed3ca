"""The API's Deployment and Stage.

A Deployment is a snapshot: CloudFormation never re-creates one whose properties
did not change, so a route change would silently not go live. Its logical ID
carries a hash of the whole API definition, so any change makes a new snapshot.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from troposphere import AWSObject, GetAtt, Ref, apigateway
from troposphere.logs import LogGroup

from data_api_stack import ids, render
from data_api_stack.config import StackConfig

# One JSON line per request, with the fields an on-call engineer filters on.
ACCESS_LOG_FORMAT = json.dumps({
    "requestId": "$context.requestId",
    "ip": "$context.identity.sourceIp",
    "requestTime": "$context.requestTime",
    "httpMethod": "$context.httpMethod",
    "resourcePath": "$context.resourcePath",
    "status": "$context.status",
    "protocol": "$context.protocol",
    "responseLength": "$context.responseLength",
    "responseLatency": "$context.responseLatency",
    "integrationLatency": "$context.integrationLatency",
    "errorMessage": "$context.error.message",
    "xrayTraceId": "$context.xrayTraceId",
}, separators=(",", ":"))


def definition_hash(definition: list[AWSObject], policy: Any = None) -> str:
    """Short, stable hash of everything the Deployment snapshots (ApiParts.definition)
    and of the RestApi's resource policy, if any."""
    parts: list[Any] = list(definition)
    if policy is not None:  # none: the hash of an API without a policy stays as it was
        parts.append({"RestApiPolicy": policy})  # awacs objects too
    canonical = render.dumps(parts)  # the text json.dumps(to_dict(), sort_keys=True) gives
    return hashlib.sha256(canonical.encode()).hexdigest()[:12]


def build_deployment(api: apigateway.RestApi,
                     definition: list[AWSObject]) -> apigateway.Deployment:
    # API Gateway applies a resource policy only when the API is deployed: "If you
    # update the resource policy, you'll need to deploy the API" (API Gateway developer
    # guide, apigateway-resource-policies-create-attach). So `iam_account_ids` is hashed.
    return apigateway.Deployment(
        ids.DEPLOYMENT_PREFIX + definition_hash(definition, api.properties.get("Policy")),
        RestApiId=Ref(api),
        Description="API snapshot; the logical ID changes whenever the API definition does",
        # Nothing in the definition is referenced by the deployment, so CloudFormation
        # would not wait for it: a snapshot taken before a new method or gateway response
        # exists would silently lack it. Every object the hash covers is a dependency.
        DependsOn=[obj.title for obj in definition],
    )


def build_stage(cfg: StackConfig, api: apigateway.RestApi, deployment: apigateway.Deployment,
                access_logs: LogGroup) -> apigateway.Stage:
    return apigateway.Stage(
        ids.STAGE,
        RestApiId=Ref(api),
        DeploymentId=Ref(deployment),
        StageName=cfg.environment,
        Description=f"{cfg.environment} stage",
        TracingEnabled=True,
        AccessLogSetting=apigateway.AccessLogSetting(
            DestinationArn=GetAtt(access_logs, "Arn"),
            Format=ACCESS_LOG_FORMAT,
        ),
        MethodSettings=[apigateway.MethodSetting(
            ResourcePath="/*",
            HttpMethod="*",
            MetricsEnabled=True,
            ThrottlingRateLimit=cfg.throttle_rate_limit,
            ThrottlingBurstLimit=cfg.throttle_burst_limit,
        )],
    )
