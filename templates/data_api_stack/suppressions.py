"""checkov findings that are wrong for this stack, each with its one-line reason.

`make test` runs checkov over every rendered template and accepts zero failed
checks. A check may be skipped only here: by id, for the resources of one type a
predicate on their rendered properties (and the config) picks (this function, MOCK
methods, data methods where `auth: none` was acknowledged), with the
reason, written into that resource's `Metadata.checkov.skip` (the inline form
checkov reads in CloudFormation; lint_suppressions.annotate writes it with the other
analyzers' tables), so a reviewer of `sceptre generate` sees the
reason next to the resource. README "Protections" lists the same table.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional


from data_api_stack import function, release_hook
from data_api_stack.config import StackConfig


Predicate = Callable[[dict[str, Any], Optional[StackConfig]], bool]


def _always(properties: dict[str, Any], cfg: Optional[StackConfig]) -> bool:
    return True


def _mock_integration(properties: dict[str, Any], cfg: Optional[StackConfig]) -> bool:
    return properties.get("Integration", {}).get("Type") == "MOCK"


def _anonymous_data_method(properties: dict[str, Any], cfg: Optional[StackConfig]) -> bool:
    # Only where config says `auth: none`, which parse_config accepts only together
    # with `allow_anonymous: true`: the owner acknowledged it in so many words.
    return (cfg is not None and cfg.auth == "none"
            and properties.get("Integration", {}).get("Type") == "AWS_PROXY")


def _handler(name: str) -> Predicate:
    return lambda properties, cfg: properties.get("Handler") == name


_API_FUNCTION = _handler(function.HANDLER)
_RELEASE_CHECK = _handler(release_hook.HANDLER)


@dataclass(frozen=True)
class Suppression:
    check_id: str
    resource_type: str
    reason: str
    # Narrower than the type: which resources (by their rendered properties and the
    # environment's config) it covers.
    applies: Predicate = _always


LAMBDA = "AWS::Lambda::Function"
SUPPRESSIONS = (
    Suppression("CKV_AWS_116", LAMBDA, "Invoked synchronously by API Gateway; a DLQ only "
                "receives failed async events", _API_FUNCTION),
    Suppression("CKV_AWS_116", LAMBDA, "CodeDeploy rolls back a release whose check reports "
                "no status; a DLQ adds nothing", _RELEASE_CHECK),
    Suppression("CKV_AWS_117", LAMBDA, "Calls only DynamoDB (TLS, IAM); a VPC adds NAT or "
                "endpoint cost and latency, no safety", _API_FUNCTION),
    Suppression("CKV_AWS_117", LAMBDA, "Calls only Lambda and CodeDeploy (TLS, IAM); a VPC "
                "adds endpoints, no safety", _RELEASE_CHECK),
    Suppression("CKV_AWS_173", LAMBDA, "Env holds names and settings (table, origin, "
                "timeout, auth ids), no secret; Lambda encrypts it", _API_FUNCTION),
    Suppression("CKV_AWS_173", LAMBDA, "Env is the version to check and the stage name, no "
                "secret; Lambda encrypts it", _RELEASE_CHECK),
    Suppression("CKV_AWS_120", "AWS::ApiGateway::Stage", "Reads must see every write "
                "(ETag/If-Match); a stage cache would serve stale items"),
    Suppression("CKV_AWS_158", "AWS::Logs::LogGroup", "CloudWatch Logs encrypts at rest by "
                "default; request metadata only, no tokens"),
    Suppression("CKV_AWS_119", "AWS::DynamoDB::Table", "SSE with DynamoDB's AWS key; a CMK "
                "would have to outlive the retained table"),
    Suppression("CKV_AWS_59", "AWS::ApiGateway::Method", "Gateway-only MOCK 404/405 for "
                "unknown routes; no back end behind them", _mock_integration),
    Suppression("CKV_AWS_59", "AWS::ApiGateway::Method", "auth: none with allow_anonymous: "
                "true; anonymous access acknowledged in config", _anonymous_data_method),
    Suppression("CKV_AWS_18", "AWS::S3::Bucket", "Deploy artifacts only; CloudTrail records "
                "their API calls; a log bucket needs one too"),
)
