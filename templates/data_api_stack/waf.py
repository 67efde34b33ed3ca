"""AWS WAF on the stage (config `waf`): a regional web ACL and its association.

Rules, in order: a per-IP rate limit (`waf_rate_limit` requests per 5 minutes), then
AWS's managed common rule set and known-bad-inputs rule set (Log4j, Java
deserialization, ...). Anything else is allowed.

Blocked requests still get the API's JSON error shape and CORS headers, so a
browser app can read why:
- the rate rule answers with a WAF custom response: 429, code THROTTLED. WAF's
  custom responses are static, so the CORS headers are the configured origin's;
- the managed groups block with WAF's default action; API Gateway answers such a
  block with its WAF_FILTERED gateway response (403), which falls back to our
  DEFAULT_4XX response (api.GATEWAY_RESPONSES): JSON shape, code WAF_FILTERED, CORS
  headers per request. (AWS, "Gateway response types": WAF_FILTERED defaults to
  DEFAULT_4XX; a WAF custom response takes precedence over gateway responses, so
  only blocks without one reach it.)
"""

from __future__ import annotations

import json

from troposphere import AWSObject, GetAtt, Ref, Sub, apigateway, wafv2

from data_api import cors, errors
from data_api_stack import ids
from data_api_stack.config import WAF_WINDOW_SECONDS, StackConfig

MANAGED_RULE_GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
RATE_RULE = "RateLimitPerIp"
RATE_LIMITED_BODY = "RateLimited"  # key into the web ACL's CustomResponseBodies
RATE_LIMITED_STATUS = 429
# API Gateway's name for a throttled request (its THROTTLED gateway response is a 429 too).
RATE_LIMITED_ERROR = {"error": {
    "code": errors.THROTTLED,
    "message": "Too many requests from your address; slow down and retry in a few minutes"}}


def _visibility(name: str) -> wafv2.VisibilityConfig:
    return wafv2.VisibilityConfig(CloudWatchMetricsEnabled=True, MetricName=name,
                                  SampledRequestsEnabled=True)


def _rate_rule(cfg: StackConfig) -> wafv2.WebACLRule:
    # A rate-limited address is unblocked once its count in the window drops below the
    # limit; after one whole window of silence that is certain, hence Retry-After.
    headers = {**cors.response_headers(cfg.cors_origin),
               "Retry-After": str(WAF_WINDOW_SECONDS)}
    return wafv2.WebACLRule(
        Name=RATE_RULE,
        Priority=0,
        Statement=wafv2.Statement(RateBasedStatement=wafv2.RateBasedStatement(
            Limit=cfg.waf_rate_limit, AggregateKeyType="IP",
            EvaluationWindowSec=WAF_WINDOW_SECONDS)),
        Action=wafv2.RuleAction(Block=wafv2.BlockAction(CustomResponse=wafv2.CustomResponse(
            ResponseCode=RATE_LIMITED_STATUS,
            CustomResponseBodyKey=RATE_LIMITED_BODY,
            ResponseHeaders=[wafv2.CustomHTTPHeader(Name=name, Value=value)
                             for name, value in headers.items()]))),
        VisibilityConfig=_visibility(RATE_RULE),
    )


def _managed_rule(name: str, priority: int) -> wafv2.WebACLRule:
    return wafv2.WebACLRule(
        Name=name,
        Priority=priority,
        Statement=wafv2.Statement(ManagedRuleGroupStatement=wafv2.ManagedRuleGroupStatement(
            VendorName="AWS", Name=name)),
        # "None": keep the group's own actions (Block), do not downgrade them to Count.
        OverrideAction=wafv2.OverrideAction(**{"None": {}}),
        VisibilityConfig=_visibility(name),
    )


def build_waf(cfg: StackConfig, api: apigateway.RestApi,
              stage: apigateway.Stage) -> list[AWSObject]:
    """The web ACL and its association with the stage; nothing when `waf` is off."""
    if not cfg.waf:
        return []
    acl = wafv2.WebACL(
        ids.WEB_ACL,
        Name=f"{cfg.resource_prefix}-api",
        # WAF allows no parentheses or colons in descriptions (cfn-lint E3031).
        Description=f"Serverless data API {cfg.environment} - per-IP rate limit and AWS "
                    "managed rule groups",
        Scope="REGIONAL",
        DefaultAction=wafv2.DefaultAction(Allow=wafv2.AllowAction()),
        CustomResponseBodies={RATE_LIMITED_BODY: wafv2.CustomResponseBody(
            ContentType="APPLICATION_JSON", Content=json.dumps(RATE_LIMITED_ERROR))},
        Rules=[_rate_rule(cfg)] + [_managed_rule(name, priority)
                                   for priority, name in enumerate(MANAGED_RULE_GROUPS, 1)],
        VisibilityConfig=_visibility(f"{cfg.resource_prefix}-api"),
    )
    # The stage's name is the environment (stage.build_stage), written out like the
    # invoke permissions' ARNs; DependsOn: the stage must exist before WAF attaches.
    stage_arn = Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}"
                    f"/stages/{stage.StageName}", Api=Ref(api))
    association = wafv2.WebACLAssociation(ids.WEB_ACL_ASSOCIATION, ResourceArn=stage_arn,
                                          WebACLArn=GetAtt(acl, "Arn"), DependsOn=[stage.title])
    return [acl, association]
