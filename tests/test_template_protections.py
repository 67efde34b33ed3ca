"""Stage and account protections in the rendered templates: reserved concurrency
(validated against the throttle), the prod WAF and how its blocks are answered."""

from __future__ import annotations

import json
import math

import pytest

from data_api import cors
from data_api_stack import ConfigError, ids, parse_config
from tests.helpers import PROJECT, copy_project, resources_of_type, sceptre, settings, \
    settings_file

GOOD = {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"}
ERROR_KEYS = {"code", "message", "requestId"}


def _throttle_and_latency(template: dict) -> tuple[float, float]:
    (setting,) = template["Resources"][ids.STAGE]["Properties"]["MethodSettings"]
    latency = template["Resources"]["ApiLatencyP90Alarm"]["Properties"]["Threshold"]
    return setting["ThrottlingRateLimit"], latency


def test_reserved_concurrency_is_set_and_serves_the_stage_throttle(dev_template, prod_template):
    for template, expected in ((dev_template, 10), (prod_template, 120)):
        reserved = template["Resources"][ids.FUNCTION]["Properties"][
            "ReservedConcurrentExecutions"]
        rate, latency_ms = _throttle_and_latency(template)
        assert reserved == expected
        # Little's law on the rendered throttle and latency alarm, not on config constants.
        assert reserved >= math.ceil(rate * latency_ms / 1000)
    # Together they leave most of the account's default 1000 executions to others.
    assert 10 + 120 <= 1000 - 100


def test_throttles_alarm_names_the_reservation(prod_template):
    description = prod_template["Resources"]["FunctionThrottlesAlarm"]["Properties"][
        "AlarmDescription"]
    assert "reserved_concurrency (120)" in description


BAD_CONCURRENCY = [
    ({"reserved_concurrency": 0}, ["reserved_concurrency", "0"]),
    ({"reserved_concurrency": 901}, ["reserved_concurrency", "901"]),
    ({"reserved_concurrency": "100"}, ["reserved_concurrency", "'100'"]),
    ({"reserved_concurrency": True}, ["reserved_concurrency", "True"]),
    ({"reserved_concurrency": 12.5}, ["reserved_concurrency", "12.5"]),
    # Inconsistent with the throttle: 100/s x 2.5 s keeps 250 executions busy.
    ({"throttle_rate_limit": 100, "reserved_concurrency": 249},
     ["reserved_concurrency", "249", "throttle_rate_limit (100/s)", "api_latency_p90_ms (2500 ms)",
      ">= 250"]),
    ({"throttle_rate_limit": 20, "api_latency_p90_ms": 5000, "reserved_concurrency": 99},
     ["reserved_concurrency", "99", "throttle_rate_limit (20/s)", "api_latency_p90_ms (5000 ms)"]),
    # No reservation given, but no reservation could serve this throttle.
    ({"throttle_rate_limit": 1000}, ["throttle_rate_limit", "1000", "api_latency_p90_ms", "900"]),
    ({"waf_rate_limit": 9}, ["waf_rate_limit", "9"]),
    ({"waf_rate_limit": 2_000_000_001}, ["waf_rate_limit", "2000000001"]),
    ({"waf": "yes"}, ["waf", "'yes'"]),
    # A per-IP limit above what the whole stage admits in 5 minutes could never fire.
    ({"waf": True, "throttle_rate_limit": 10, "waf_rate_limit": 3001},
     ["waf_rate_limit", "3001", "throttle_rate_limit (10/s)", "<= 3000"]),
]


@pytest.mark.parametrize("change,fragments", BAD_CONCURRENCY,
                         ids=[",".join(f"{k}={v!r}" for k, v in c[0].items())
                              for c in BAD_CONCURRENCY])
def test_bad_protection_config_is_rejected_naming_keys_and_values(change, fragments):
    with pytest.raises(ConfigError) as raised:
        parse_config({**GOOD, **change})
    for fragment in fragments:
        assert fragment in str(raised.value)


def test_reserved_concurrency_defaults_to_what_the_throttle_needs():
    assert parse_config(GOOD).function_concurrency == math.ceil(50 * 2.5)
    assert parse_config({**GOOD, "throttle_rate_limit": 3, "api_latency_p90_ms": 1000,
                         "reserved_concurrency": 3}).function_concurrency == 3
    # The WAF limit is checked only where there is a WAF.
    assert parse_config({**GOOD, "throttle_rate_limit": 1, "reserved_concurrency": 3,
                         "waf_rate_limit": 100000}).waf is False


def test_inconsistent_reservation_fails_sceptre_generate_in_one_line(tmp_path):
    project = copy_project(tmp_path)
    api = settings_file(project, "prod")
    api.write_text(api.read_text().replace("reserved_concurrency: 120",
                                           "reserved_concurrency: 99"))
    result = sceptre("--ignore-dependencies", "generate", "prod/api.yaml", cwd=project,
                     check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    assert "sceptre_user_data.reserved_concurrency" in output and "throttle_rate_limit" in output


def test_waf_only_in_prod(dev_template, prod_template):
    for kind in ("AWS::WAFv2::WebACL", "AWS::WAFv2::WebACLAssociation"):
        assert resources_of_type(dev_template, kind) == {}
        assert len(resources_of_type(prod_template, kind)) == 1


def test_web_acl_is_associated_with_the_prod_stage(prod_template):
    (association,) = resources_of_type(prod_template, "AWS::WAFv2::WebACLAssociation").values()
    stage = prod_template["Resources"][ids.STAGE]
    arn, variables = association["Properties"]["ResourceArn"]["Fn::Sub"]
    assert arn == ("arn:${AWS::Partition}:apigateway:${AWS::Region}::/restapis/${Api}/stages/"
                   + stage["Properties"]["StageName"])
    assert variables == {"Api": {"Ref": ids.REST_API}}
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [ids.WEB_ACL, "Arn"]}
    assert ids.STAGE in association["DependsOn"]


def _acl(template: dict) -> dict:
    (acl,) = resources_of_type(template, "AWS::WAFv2::WebACL").values()
    return acl["Properties"]


def test_web_acl_rules(prod_template):
    acl = _acl(prod_template)
    assert acl["Scope"] == "REGIONAL" and acl["DefaultAction"] == {"Allow": {}}
    rules = sorted(acl["Rules"], key=lambda rule: rule["Priority"])
    rate = rules[0]["Statement"]["RateBasedStatement"]
    assert (rate["Limit"], rate["AggregateKeyType"], rate["EvaluationWindowSec"]) == (
        3000, "IP", 300)
    managed = [(r["Statement"]["ManagedRuleGroupStatement"], r["OverrideAction"]) for r in rules[1:]]
    assert [(m["VendorName"], m["Name"]) for m, _ in managed] == [
        ("AWS", "AWSManagedRulesCommonRuleSet"), ("AWS", "AWSManagedRulesKnownBadInputsRuleSet")]
    assert all(override == {"None": {}} for _, override in managed)  # groups keep Block
    for visibility in [acl["VisibilityConfig"], *(r["VisibilityConfig"] for r in rules)]:
        assert visibility["CloudWatchMetricsEnabled"] and visibility["SampledRequestsEnabled"]
    assert len({r["VisibilityConfig"]["MetricName"] for r in rules}) == len(rules)


def _gateway_headers(template: dict, response_type: str) -> dict[str, str]:
    (response,) = [r["Properties"] for r in resources_of_type(
        template, "AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == response_type]
    return {key.removeprefix("gatewayresponse.header."): value.strip("'")
            for key, value in response["ResponseParameters"].items()}


def test_rate_limited_answer_is_a_json_429_with_cors_a_browser_can_read(prod_template):
    acl = _acl(prod_template)
    (rate_rule,) = [r for r in acl["Rules"] if "RateBasedStatement" in r["Statement"]]
    response = rate_rule["Action"]["Block"]["CustomResponse"]
    assert response["ResponseCode"] == 429
    body = acl["CustomResponseBodies"][response["CustomResponseBodyKey"]]
    assert body["ContentType"] == "APPLICATION_JSON"
    error = json.loads(body["Content"])
    assert set(error) == {"error"} and set(error["error"]) <= ERROR_KEYS
    assert error["error"]["code"] == "THROTTLED" and error["error"]["message"]
    headers = {h["Name"]: h["Value"] for h in response["ResponseHeaders"]}
    # The same CORS headers as API Gateway's own error answers in this environment.
    assert _gateway_headers(prod_template, "DEFAULT_4XX").items() <= headers.items()
    assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert int(headers["Retry-After"]) == 300
    assert "Retry-After" in headers["Access-Control-Expose-Headers"].split(",")


def test_waf_filtered_answer_is_the_json_error_shape_with_cors(env_template):
    """WAF_FILTERED (a managed-rule block) defaults to DEFAULT_4XX when not customised."""
    env, template = env_template
    types = {r["Properties"]["ResponseType"] for r in resources_of_type(
        template, "AWS::ApiGateway::GatewayResponse").values()}
    assert "WAF_FILTERED" not in types and "DEFAULT_4XX" in types
    (response,) = [r["Properties"] for r in resources_of_type(
        template, "AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == "DEFAULT_4XX"]
    assert "StatusCode" not in response  # keeps API Gateway's 403 for WAF_FILTERED
    body = response["ResponseTemplates"]["application/json"].replace(
        "$context.error.responseType", "WAF_FILTERED").replace(
        "$context.error.messageString", json.dumps("Forbidden"))
    error = json.loads(body)
    assert set(error) == {"error"} and set(error["error"]) <= ERROR_KEYS
    assert error["error"] == {"code": "WAF_FILTERED", "message": "Forbidden"}
    origin = settings(env)["cors_origin"]
    assert _gateway_headers(template, "DEFAULT_4XX") == cors.response_headers(origin)
