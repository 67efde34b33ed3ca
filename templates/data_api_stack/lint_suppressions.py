"""cfn-lint (serverless rules) and cdk-nag (AwsSolutions) findings wrong for this stack.

Like checkov's table (suppressions.py): `make test` runs both analyzers over every
rendered template and accepts zero findings; a rule may be silenced only here, by id,
for the resources of one type a predicate on their rendered properties (and the config)
picks, with its one-line reason. They are written where each analyzer reads them:
- cfn-lint: `Metadata.cfn-lint.config.ignore_checks` (cfn-lint README, "Resource
  Based Metadata"); the reason rides along as `Metadata.cfn-lint.reasons`;
- cdk-nag: `Metadata.cdk_nag.rules_to_suppress` [{id, reason, applies_to}] (cdk-nag
  README, "Using on CloudFormation templates"; applies_to narrows a rule with several
  findings per resource, e.g. IAM5's Resource::*, to that finding).
README "What the analyzers check" lists the same tables.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, TypeVar

from troposphere import BaseAWSObject, Template, encode_to_dict

from data_api_stack import suppressions
from data_api_stack.config import StackConfig
from data_api_stack.suppressions import Predicate, _always, _anonymous_data_method, \
    _mock_integration


def _xray_wildcard_only(properties: dict[str, Any], cfg: Optional[StackConfig]) -> bool:
    """A role whose only "*" resource is the X-Ray statement (iam.xray_statement)."""
    wild = [s for policy in properties.get("Policies", [])
            for s in policy["PolicyDocument"]["Statement"] if "*" in s.get("Resource", [])]
    return bool(wild) and all(a.startswith("xray:") for s in wild for a in s["Action"])


def _mfa_optional(properties: dict[str, Any], cfg: Optional[StackConfig]) -> bool:
    return properties.get("MfaConfiguration") != "ON"


def _iam_method(properties: dict[str, Any], cfg: Optional[StackConfig]) -> bool:
    return properties.get("AuthorizationType") == "AWS_IAM"


def _waf(on: bool) -> Predicate:
    return lambda properties, cfg: cfg is not None and cfg.waf == on


APIGW_LOGS_POLICY = "AmazonAPIGatewayPushToCloudWatchLogs"


def _apigw_logging_role(properties: dict[str, Any], cfg: Optional[StackConfig]) -> bool:
    return any(APIGW_LOGS_POLICY in str(arn) for arn in properties.get("ManagedPolicyArns", []))


@dataclass(frozen=True)
class Rule(suppressions.Suppression):
    """A checkov suppression's shape, for cfn-lint and cdk-nag rules."""

    # cdk-nag only: the findings of the rule it covers, exact or {"regex": "/.../"}.
    applies_to: tuple[Any, ...] = ()


ROLE, POOL, METHOD = "AWS::IAM::Role", "AWS::Cognito::UserPool", "AWS::ApiGateway::Method"
STAGE, BUCKET = "AWS::ApiGateway::Stage", "AWS::S3::Bucket"
CFN_LINT = (
    Rule("ES7000", "AWS::SNS::Subscription", "Email copy of the alarms; an SQS DLQ nobody "
         "reads delivers nothing; the alarm stays in ALARM"),
)
CDK_NAG = (
    Rule("AwsSolutions-IAM5", ROLE, "X-Ray PutTraceSegments/PutTelemetryRecords have no "
         "resource type; AWS accepts only \"*\"", _xray_wildcard_only, ("Resource::*",)),
    Rule("AwsSolutions-IAM5", "AWS::IAM::ManagedPolicy", "auth: iam: <stage>/* and "
         "<stage>/GET/* are every (GET) method of this API's stage; <stage>/<VERB>/<path>/* "
         "a collection's item route, <path>/{id}", _always,
         ({"regex": r'/^Resource::.*execute-api:.*\/((GET\/)?\*|'
                    r'(GET|PUT|DELETE)\/[a-z0-9_-]+\/\*)",.*$/'},)),
    Rule("AwsSolutions-IAM4", ROLE, "AWS's policy for API Gateway's account-wide logging "
         "role, the form the API Gateway docs give", _apigw_logging_role,
         (f"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/{APIGW_LOGS_POLICY}",)),
    Rule("AwsSolutions-COG2", POOL, "mfa: optional, where retain_data is false: throwaway "
         "users; kept pools default to required", _mfa_optional),
    Rule("AwsSolutions-COG8", POOL, "Essentials tier: admin-created users only, strong "
         "passwords, MFA; Plus bills per active user"),
    Rule("AwsSolutions-APIG4", METHOD, "Gateway-only MOCK: CORS preflight, 404/405 of "
         "unknown routes; no back end behind them", _mock_integration),
    Rule("AwsSolutions-COG4", METHOD, "Gateway-only MOCK: CORS preflight, 404/405 of "
         "unknown routes; no back end behind them", _mock_integration),
    Rule("AwsSolutions-APIG4", METHOD, "auth: none with allow_anonymous: true; anonymous "
         "access acknowledged in config", _anonymous_data_method),
    Rule("AwsSolutions-COG4", METHOD, "auth: none with allow_anonymous: true; anonymous "
         "access acknowledged in config", _anonymous_data_method),
    Rule("AwsSolutions-COG4", METHOD, "auth: iam: IAM authorizes SigV4-signed callers; "
         "no user pool by design", _iam_method),
    Rule("AwsSolutions-APIG3", STAGE, "waf: false: WAFv2 bills per web ACL and rule; the "
         "public-facing environment sets waf: true", _waf(False)),
    Rule("AwsSolutions-APIG3", STAGE, "waf: true: the WebACLAssociation names the stage "
         "by its ARN, which the rule cannot follow", _waf(True)),
    Rule("AwsSolutions-APIG6", STAGE, "JSON access logs of every request; execution logs "
         "would repeat them with request bodies"),
    Rule("AwsSolutions-S1", BUCKET, "Deploy artifacts only; CloudTrail records their API "
         "calls; a log bucket needs one too"),
    Rule("AwsSolutions-S10", BUCKET, "Its policy denies aws:SecureTransport false on bucket "
         "and objects; the rule misreads Fn::Sub"),
    Rule("AwsSolutions-S10", "AWS::S3::BucketPolicy", "Denies aws:SecureTransport false on "
         "bucket and objects; the rule misreads Fn::Sub"),
)


Rules = TypeVar("Rules", bound=suppressions.Suppression)


def _matching(rules: tuple[Rules, ...], resource_type: str, properties: dict[str, Any],
              cfg: Optional[StackConfig]) -> list[Rules]:
    return [r for r in rules if r.resource_type == resource_type and r.applies(properties, cfg)]


class _Properties:
    """A resource's properties as the predicates read them (`get`, `[]`), rendered only
    where a predicate looks: rendering every resource in full here, then again for the
    template, was a quarter of a render's time."""

    def __init__(self, obj: BaseAWSObject) -> None:
        self._properties = obj.properties

    def get(self, key: str, default: Any = None) -> Any:
        return _view(self._properties[key]) if key in self._properties else default

    def __getitem__(self, key: str) -> Any:
        return _view(self._properties[key])


def _view(value: Any) -> Any:
    if isinstance(value, BaseAWSObject):
        return _Properties(value)
    if isinstance(value, list):
        return [_view(item) for item in value]
    return encode_to_dict(value)  # intrinsic functions, awacs documents, plain values


def annotate(template: Template, cfg: Optional[StackConfig] = None) -> Template:
    """checkov's, cfn-lint's and cdk-nag's suppressions on the template's resources, in
    one pass; return it. `cfg`: the API stack's config (the account and artifacts
    stacks have none)."""
    for resource in template.resources.values():
        if resource.resource_type not in _RULED_TYPES:
            continue
        properties: Any = _Properties(resource)
        skips = _matching(suppressions.SUPPRESSIONS, resource.resource_type, properties, cfg)
        lint = _matching(CFN_LINT, resource.resource_type, properties, cfg)
        nag = _matching(CDK_NAG, resource.resource_type, properties, cfg)
        if not (skips or lint or nag):
            continue
        metadata = dict(resource.resource.get("Metadata", {}))
        if skips:
            metadata["checkov"] = {"skip": [{"id": s.check_id, "comment": s.reason}
                                            for s in skips]}
        if lint:
            metadata["cfn-lint"] = {"config": {"ignore_checks": [r.check_id for r in lint]},
                                    "reasons": {r.check_id: r.reason for r in lint}}
        if nag:
            metadata["cdk_nag"] = {"rules_to_suppress": [
                {"id": r.check_id, "reason": r.reason,
                 **({"applies_to": list(r.applies_to)} if r.applies_to else {})}
                for r in nag]}
        resource.Metadata = metadata
    return template


_RULED_TYPES = frozenset(r.resource_type for r in (*suppressions.SUPPRESSIONS, *CFN_LINT,
                                                    *CDK_NAG))
