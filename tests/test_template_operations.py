"""Operations in the rendered templates: alarms, routing, dashboard, auto scaling."""

from __future__ import annotations

import json
import re

import pytest

from data_api import permissions, storage
from data_api_stack import build_template, ids, parse_config
from tests.helpers import PROJECT, resources_of_type

CODE_KEY = "lambda/api-" + "0" * 64 + ".zip"
API_DIMS = lambda env: [{"Name": "ApiName", "Value": f"serverless-data-{env}-api"},  # noqa: E731
                        {"Name": "Stage", "Value": env}]
FN_DIMS = [{"Name": "FunctionName", "Value": {"Ref": ids.FUNCTION}}]
TABLE_DIMS = [{"Name": "TableName", "Value": {"Ref": ids.TABLE}}]

# logical id: (namespace, metric, dims, stat key, stat, evaluations, threshold, comparison)
EXPECTED = {
    "Api5xxAlarm": ("AWS/ApiGateway", "5XXError", "api", "Statistic", "Average", 3, 0.05,
                    "GreaterThanThreshold"),
    # Both environments' config sets api_latency_p90_ms: 1000 (the default is 2500).
    "ApiLatencyP90Alarm": ("AWS/ApiGateway", "Latency", "api", "ExtendedStatistic", "p90", 5,
                           1000, "GreaterThanThreshold"),
    "Api4xxAlarm": ("AWS/ApiGateway", "4XXError", "api", "Statistic", "Average", 5, 0.05,
                    "GreaterThanThreshold"),
    "FunctionErrorsAlarm": ("AWS/Lambda", "Errors", "fn", "Statistic", "Sum", 3, 0,
                            "GreaterThanThreshold"),
    "FunctionThrottlesAlarm": ("AWS/Lambda", "Throttles", "fn", "Statistic", "Sum", 5, 1,
                               "GreaterThanOrEqualToThreshold"),
    "FunctionDurationP90Alarm": ("AWS/Lambda", "Duration", "fn", "ExtendedStatistic", "p90",
                                 15, 8000, "GreaterThanThreshold"),
    "TableReadThrottlesAlarm": ("AWS/DynamoDB", "ReadThrottleEvents", "table", "Statistic",
                                "Sum", 5, 1, "GreaterThanOrEqualToThreshold"),
    "TableWriteThrottlesAlarm": ("AWS/DynamoDB", "WriteThrottleEvents", "table", "Statistic",
                                 "Sum", 5, 1, "GreaterThanOrEqualToThreshold"),
}
CAPACITY = {"TableReadCapacityAlarm": "ConsumedReadCapacityUnits",
            "TableWriteCapacityAlarm": "ConsumedWriteCapacityUnits"}


def _alarms(template: dict) -> dict[str, dict]:
    return {k: v["Properties"] for k, v in resources_of_type(template, "AWS::CloudWatch::Alarm")
            .items()}


@pytest.mark.parametrize("logical_id", sorted(EXPECTED))
def test_alarm_metric_dimensions_statistic_and_threshold(env_template, logical_id):
    env, template = env_template
    namespace, metric, dims, stat_key, stat, evaluations, threshold, comparison = EXPECTED[
        logical_id]
    alarm = _alarms(template)[logical_id]
    assert (alarm["Namespace"], alarm["MetricName"]) == (namespace, metric)
    assert alarm["Dimensions"] == {"api": API_DIMS(env), "fn": FN_DIMS,
                                   "table": TABLE_DIMS}[dims]
    assert alarm[stat_key] == stat and alarm["Period"] == 60
    assert alarm["EvaluationPeriods"] == alarm["DatapointsToAlarm"] == evaluations
    assert alarm["Threshold"] == threshold and alarm["ComparisonOperator"] == comparison
    assert alarm["TreatMissingData"] == "notBreaching"
    assert len(alarm["AlarmDescription"]) > 40 and "AlarmActions" not in alarm


def test_api_dimension_is_the_rest_api_name(env_template):
    _, template = env_template
    name = template["Resources"][ids.REST_API]["Properties"]["Name"]
    assert _alarms(template)["Api5xxAlarm"]["Dimensions"][0]["Value"] == name


def test_system_errors_sums_every_operation_the_handler_uses(env_template):
    _, template = env_template
    alarm = _alarms(template)["TableSystemErrorsAlarm"]
    queries = {q["Id"]: q for q in alarm["Metrics"]}
    operations = sorted(
        d["Value"] for q in queries.values() if "MetricStat" in q
        for d in q["MetricStat"]["Metric"]["Dimensions"] if d["Name"] == "Operation")
    assert operations == sorted(storage.DYNAMODB_ACTIONS + permissions.TRANSACTION_OPERATIONS)
    for q in queries.values():
        if "MetricStat" in q:
            assert q["MetricStat"]["Metric"]["MetricName"] == "SystemErrors"
            assert {"Name": "TableName", "Value": {"Ref": ids.TABLE}} in q["MetricStat"][
                "Metric"]["Dimensions"]
    (total,) = [q for q in queries.values() if q.get("ReturnData")]
    assert total["Expression"] == "SUM([" + ",".join(f"m{n}" for n in range(len(operations))) + "])"
    assert alarm["Threshold"] == 0 and alarm["TreatMissingData"] == "notBreaching"


def test_capacity_alarms_only_without_auto_scaling(dev_template, prod_template):
    dev = _alarms(dev_template)
    for logical_id, metric in CAPACITY.items():
        assert dev[logical_id]["MetricName"] == metric
        assert dev[logical_id]["Threshold"] == 0.8 * 5 * 60  # 80 % of 5 units/s, per minute
        assert logical_id not in _alarms(prod_template)


def test_composite_pages_on_every_paging_alarm_only(env_template):
    _, template = env_template
    alarms = _alarms(template)
    (composite,) = [r["Properties"] for r in resources_of_type(
        template, "AWS::CloudWatch::CompositeAlarm").values()]
    named = set(re.findall(r'ALARM\("([^"]+)"\)', composite["AlarmRule"]))
    # Not paging: the 4XX warning, and the release alarms CodeDeploy acts on (prod).
    quiet = {"Api4xxAlarm", "ReleaseVersionErrorsAlarm", "ReleaseAliasThrottlesAlarm"}
    paging = {a["AlarmName"] for k, a in alarms.items() if k not in quiet}
    assert named == paging and len(named) >= 8
    assert alarms["Api4xxAlarm"]["AlarmName"] not in named
    assert composite["AlarmActions"] == [{"Ref": "AlarmTopic"}]
    assert composite["AlarmRule"].count(" OR ") == len(named) - 1


def test_topic_encrypted_with_a_key_cloudwatch_may_use(env_template):
    _, template = env_template
    topic = template["Resources"]["AlarmTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] == {"Ref": "AlarmTopicKey"}
    policy = template["Resources"]["AlarmTopicKey"]["Properties"]["KeyPolicy"]
    (cloudwatch,) = [s for s in policy["Statement"]
                     if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert set(cloudwatch["Action"]) == {"kms:Decrypt", "kms:GenerateDataKey"}
    # Only on behalf of this account's alarms (confused deputy).
    assert cloudwatch["Condition"] == {
        "StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}


def test_a_paging_topic_is_notified_too_when_configured():
    arn = "arn:aws:sns:us-west-2:123456789012:team-paging"
    template = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": CODE_KEY, "alarm_topic_arn": arn})).to_json())
    (composite,) = [r["Properties"] for r in resources_of_type(
        template, "AWS::CloudWatch::CompositeAlarm").values()]
    assert composite["AlarmActions"] == composite["OKActions"] == [{"Ref": "AlarmTopic"}, arn]


def test_email_subscription_only_with_an_address(env_template):
    env, template = env_template
    sub = template["Resources"]["AlarmEmailSubscription"]
    assert sub["Condition"] == "HasAlarmEmail"
    assert sub["Properties"]["Endpoint"] == {"Ref": "AlarmEmail"}
    assert template["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}
    # prod retains data, so it ships with a subscriber (a placeholder to replace).
    assert (template["Parameters"]["AlarmEmail"]["Default"] != "") == (env == "prod")
    with_email = json.loads(build_template(parse_config(
        {**PROJECT, "environment": "dev", "code_key": CODE_KEY, "alarm_email": "oncall@example.com"}))
        .to_json())
    assert with_email["Parameters"]["AlarmEmail"]["Default"] == "oncall@example.com"


def test_dashboard_body_is_valid_json_referencing_every_resource(env_template):
    env, template = env_template
    board = template["Resources"]["Dashboard"]["Properties"]
    body, variables = board["DashboardBody"]["Fn::Sub"]
    assert variables["FunctionName"] == {"Ref": ids.FUNCTION}
    assert variables["TableName"] == {"Ref": ids.TABLE}
    assert variables["ApiName"] == template["Resources"][ids.REST_API]["Properties"]["Name"]
    assert variables["Stage"] == env
    alarm_arns = {k: v for k, v in variables.items() if k.startswith("Alarm")}
    alarm_names = {a["AlarmName"] for a in _alarms(template).values()} | {
        r["Properties"]["AlarmName"] for r in resources_of_type(
            template, "AWS::CloudWatch::CompositeAlarm").values()}
    assert {v["Fn::Sub"].rsplit(":", 1)[1] for v in alarm_arns.values()} == alarm_names
    filled = body
    for name in [*variables, "AWS::Region"]:
        filled = filled.replace("${" + name + "}", "X")
    assert "${" not in filled
    widgets = json.loads(filled)["widgets"]
    for widget in widgets:
        assert {"type", "x", "y", "width", "height", "properties"} <= set(widget)
    metrics = json.dumps([w["properties"].get("metrics") for w in widgets])
    for needed in ("Count", "Latency", "5XXError", "4XXError", "Invocations", "Duration",
                   "Errors", "Throttles", "ConcurrentExecutions", "ConsumedReadCapacityUnits",
                   "ProvisionedWriteCapacityUnits", "ReadThrottleEvents", "SystemErrors",
                   "SuccessfulRequestLatency", "p99"):
        assert needed in metrics, needed
    assert template["Outputs"]["DashboardUrl"]["Value"]["Fn::Sub"][1] == {"Name": {
        "Ref": "Dashboard"}}


def test_auto_scaling_only_where_enabled(dev_template, prod_template):
    assert not resources_of_type(dev_template, "AWS::ApplicationAutoScaling::ScalableTarget")
    targets = resources_of_type(prod_template, "AWS::ApplicationAutoScaling::ScalableTarget")
    policies = resources_of_type(prod_template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    assert len(targets) == len(policies) == 2
    for name, target in targets.items():
        props = target["Properties"]
        kind = "Read" if "Read" in name else "Write"
        assert props["ScalableDimension"] == f"dynamodb:table:{kind}CapacityUnits"
        assert (props["MinCapacity"], props["MaxCapacity"]) == (5, 100)
        assert props["ResourceId"] == {"Fn::Sub": ["table/${Table}", {"Table": {"Ref": "DataTable"}}]}
        assert "RoleARN" not in props
    for policy in policies.values():
        config = policy["Properties"]["TargetTrackingScalingPolicyConfiguration"]
        assert config["TargetValue"] == 70.0
        assert config["PredefinedMetricSpecification"]["PredefinedMetricType"] in (
            "DynamoDBReadCapacityUtilization", "DynamoDBWriteCapacityUtilization")
