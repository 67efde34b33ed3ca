"""Releases in the rendered templates: versions, CodeDeploy, the pre-traffic check's IAM."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from data_api_stack import build_template, ids, parse_config
from data_api_stack.config import DEPLOY_STRATEGIES
from tests.helpers import PROJECT, resources_of_type, walk

CODE_KEY = "lambda/api-" + "0" * 64 + ".zip"
GRADUAL = [s for s in DEPLOY_STRATEGIES if s != "AllAtOnce"]


def _render(**changes: Any) -> dict:
    cfg = parse_config({**PROJECT, "environment": "prod", "code_key": CODE_KEY, **changes})
    return json.loads(build_template(cfg).to_json())


def _version_id(template: dict) -> str:
    (found,) = [k for k in template["Resources"] if k.startswith(ids.FUNCTION_VERSION_PREFIX)]
    return found


def _statements(role: dict) -> dict[str, dict]:
    (policy,) = role["Properties"]["Policies"]
    return {s["Sid"]: s for s in policy["PolicyDocument"]["Statement"]}


# -- versions -------------------------------------------------------------------------

BEHAVIOUR_CHANGES = [
    {"code_key": "lambda/api-" + "1" * 64 + ".zip"},
    {"memory_mb": 512},
    {"timeout_seconds": 20},
    {"cors_origin": "https://other.example.com"},  # an environment variable
    {"runtime": "python3.13"},
    {"architecture": "x86_64"},
    {"snapstart": True},
]
UNRELATED_CHANGES = [
    {"api_5xx_rate": 0.2},  # an alarm threshold
    {"throttle_rate_limit": 7},
    {"reserved_concurrency": 300},  # the whole function's, not a version's
    {"log_retention_days": 30},
    {"deploy_strategy": "Linear10PercentEvery1Minute"},
    {"alarm_email": "ops@example.com"},
]


@pytest.mark.parametrize("change", BEHAVIOUR_CHANGES, ids=lambda c: next(iter(c)))
def test_any_behavioural_change_publishes_a_new_version(change):
    """SAM #3820: a configuration-only change must not keep serving the old version."""
    before, after = _render(), _render(**change)
    assert _version_id(after) != _version_id(before)
    alias = after["Resources"][ids.FUNCTION_ALIAS]["Properties"]
    assert alias["FunctionVersion"] == {"Fn::GetAtt": [_version_id(after), "Version"]}


@pytest.mark.parametrize("change", UNRELATED_CHANGES, ids=lambda c: next(iter(c)))
def test_an_unrelated_change_keeps_the_version(change):
    assert _version_id(_render(**change)) == _version_id(_render())


def test_the_version_follows_every_function_property():
    """Whatever the function resource says, its version's id says too: the hash covers
    the whole resource, so a property added later is covered without a new test."""
    base = _render()
    function = base["Resources"][ids.FUNCTION]["Properties"]
    assert {"Code", "Environment", "Runtime", "Architectures", "MemorySize", "Timeout",
            "Role", "Handler"} <= set(function)
    assert _version_id(base) == _version_id(_render())  # deterministic


# -- CodeDeploy, per strategy -----------------------------------------------------------

def test_dev_shifts_all_at_once_without_codedeploy(dev_template):
    types = {r["Type"] for r in dev_template["Resources"].values()}
    assert not {t for t in types if t.startswith("AWS::CodeDeploy::")}
    assert "UpdatePolicy" not in dev_template["Resources"][ids.FUNCTION_ALIAS]
    assert ids.PRETRAFFIC_HOOK not in dev_template["Resources"]


def test_prod_releases_a_canary_through_codedeploy(prod_template):
    res = prod_template["Resources"]
    (app_id,) = resources_of_type(prod_template, "AWS::CodeDeploy::Application")
    (group_id, group), = resources_of_type(prod_template,
                                           "AWS::CodeDeploy::DeploymentGroup").items()
    assert res[app_id]["Properties"]["ComputePlatform"] == "Lambda"
    props = group["Properties"]
    assert props["ApplicationName"] == {"Ref": app_id}
    assert props["DeploymentConfigName"] == "CodeDeployDefault.LambdaCanary10Percent5Minutes"
    assert props["DeploymentStyle"] == {"DeploymentType": "BLUE_GREEN",
                                        "DeploymentOption": "WITH_TRAFFIC_CONTROL"}
    rollback = props["AutoRollbackConfiguration"]
    assert rollback["Enabled"] is True and set(rollback["Events"]) == {
        "DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM", "DEPLOYMENT_STOP_ON_REQUEST"}
    update = res[ids.FUNCTION_ALIAS]["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]
    assert update == {"ApplicationName": {"Ref": app_id},
                      "DeploymentGroupName": {"Ref": group_id},
                      "BeforeAllowTrafficHook": {"Ref": ids.PRETRAFFIC_HOOK}}


@pytest.mark.parametrize("strategy", DEPLOY_STRATEGIES)
def test_codedeploy_exists_exactly_for_gradual_strategies(strategy):
    template = _render(deploy_strategy=strategy)
    groups = resources_of_type(template, "AWS::CodeDeploy::DeploymentGroup")
    alias = template["Resources"][ids.FUNCTION_ALIAS]
    if strategy == "AllAtOnce":
        assert not groups and "UpdatePolicy" not in alias
    else:
        (group,) = groups.values()
        assert group["Properties"]["DeploymentConfigName"] == f"CodeDeployDefault.Lambda{strategy}"
        assert "CodeDeployLambdaAliasUpdate" in alias["UpdatePolicy"]


def test_codedeploys_full_config_names_are_accepted_too():
    full = _render(deploy_strategy="CodeDeployDefault.LambdaLinear10PercentEvery2Minutes")
    assert full == _render(deploy_strategy="Linear10PercentEvery2Minutes")


def test_release_alarms_exist_and_watch_the_new_version(prod_template):
    res = prod_template["Resources"]
    (group,) = resources_of_type(prod_template, "AWS::CodeDeploy::DeploymentGroup").values()
    config = group["Properties"]["AlarmConfiguration"]
    assert config["Enabled"] is True
    named = [a["Name"]["Ref"] for a in config["Alarms"]]
    alarms = {name: res[name]["Properties"] for name in named}
    assert all(res[name]["Type"] == "AWS::CloudWatch::Alarm" for name in named)

    def dims(alarm: dict) -> dict:
        return {d["Name"]: d["Value"] for d in alarm.get("Dimensions", [])}

    by_metric = {(a["Namespace"], a["MetricName"]): a for a in alarms.values()}
    errors = by_metric[("AWS/Lambda", "Errors")]
    assert dims(errors) == {"FunctionName": {"Ref": ids.FUNCTION},
                            "Resource": {"Fn::Sub": ["${Fn}:live", {"Fn": {"Ref": ids.FUNCTION}}]},
                            "ExecutedVersion": {"Fn::GetAtt": [_version_id(prod_template),
                                                               "Version"]}}
    throttles = by_metric[("AWS/Lambda", "Throttles")]
    assert dims(throttles)["Resource"] == dims(errors)["Resource"]
    assert ("AWS/ApiGateway", "5XXError") in by_metric
    assert all(not a.get("AlarmActions") for a in alarms.values() if "Release" in a["AlarmName"])


# -- IAM of the hook and of CodeDeploy ------------------------------------------------

def test_arns_are_exact_and_partition_aware(prod_template):
    res = prod_template["Resources"]
    for role_id in (ids.PRETRAFFIC_HOOK_ROLE, ids.CODEDEPLOY_ROLE):
        for statement in _statements(res[role_id]).values():
            if statement["Resource"] == ["*"]:  # only X-Ray's, which has no narrower form
                assert {a.split(":")[0] for a in statement["Action"]} == {"xray"}, statement
                continue
            assert "*" not in statement["Resource"], (role_id, statement)
            for value in walk(statement["Resource"]):
                if isinstance(value, str) and "arn:" in value:
                    assert value.startswith("arn:${AWS::Partition}:"), value


def test_hook_role_grants_exactly_what_the_check_does(prod_template):
    res = prod_template["Resources"]
    statements = _statements(res[ids.PRETRAFFIC_HOOK_ROLE])
    assert {s["Action"][0] for s in statements.values() if len(s["Action"]) == 1} >= {
        "lambda:InvokeFunction", "codedeploy:PutLifecycleEventHookExecutionStatus"}
    invoke = statements["InvokeTheVersionUnderTest"]
    assert invoke["Action"] == ["lambda:InvokeFunction"]
    report = statements["ReportToThisDeploymentGroup"]
    assert report["Action"] == ["codedeploy:PutLifecycleEventHookExecutionStatus"]
    app = res[ids.CODEDEPLOY_APPLICATION]["Properties"]["ApplicationName"]
    group = res[ids.DEPLOYMENT_GROUP]["Properties"]["DeploymentGroupName"]
    assert report["Resource"] == [{"Fn::Sub": "arn:${AWS::Partition}:codedeploy:${AWS::Region}:"
                                   f"${{AWS::AccountId}}:deploymentgroup:{app}/{group}"}]
    logs = statements["OwnLogGroup"]
    assert logs["Resource"] == [{"Fn::GetAtt": [ids.PRETRAFFIC_HOOK_LOG_GROUP, "Arn"]}]
    traces = statements["XRayTraces"]
    assert set(traces["Action"]) == {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}
    assert set(statements) == {"InvokeTheVersionUnderTest", "ReportToThisDeploymentGroup",
                               "OwnLogGroup", "XRayTraces"}


def test_hook_may_invoke_only_the_version_under_test(prod_template):
    """Not `function:<name>:*` (every version, the alias): the one version this release
    publishes, the same one the check is told to call."""
    res = prod_template["Resources"]
    hook = res[ids.PRETRAFFIC_HOOK]["Properties"]
    (policy,) = res[ids.PRETRAFFIC_HOOK_ROLE]["Properties"]["Policies"]
    invocable = [resource for s in policy["PolicyDocument"]["Statement"]
                 if "lambda:InvokeFunction" in s["Action"] for resource in s["Resource"]]
    version = _version_id(prod_template)
    assert res[version]["Type"] == "AWS::Lambda::Version"
    assert invocable == [{"Ref": version}] == [hook["Environment"]["Variables"]["NewVersion"]]
    assert "*" not in json.dumps(invocable)


def test_a_new_release_moves_the_hooks_grant_to_the_new_version():
    before, after = _render(deploy_strategy="Canary10Percent5Minutes"), _render(
        deploy_strategy="Canary10Percent5Minutes", memory_mb=512)
    for template in (before, after):
        statements = _statements(template["Resources"][ids.PRETRAFFIC_HOOK_ROLE])
        assert statements["InvokeTheVersionUnderTest"]["Resource"] == [
            {"Ref": _version_id(template)}]
    assert _version_id(before) != _version_id(after)


def test_hook_function_is_traced(prod_template):
    hook = prod_template["Resources"][ids.PRETRAFFIC_HOOK]["Properties"]
    assert hook["TracingConfig"] == {"Mode": "Active"}


def test_codedeploy_service_role_is_scoped_to_this_stack(prod_template):
    res = prod_template["Resources"]
    role = res[ids.CODEDEPLOY_ROLE]["Properties"]
    trust = role["AssumeRolePolicyDocument"]["Statement"]
    assert [s["Principal"] for s in trust] == [{"Service": ["codedeploy.amazonaws.com"]}]
    assert "ManagedPolicyArns" not in role
    statements = _statements(res[ids.CODEDEPLOY_ROLE])
    (group,) = resources_of_type(prod_template, "AWS::CodeDeploy::DeploymentGroup").values()
    watched = {res[a["Name"]["Ref"]]["Properties"]["AlarmName"]
               for a in group["Properties"]["AlarmConfiguration"]["Alarms"]}
    described = {r["Fn::Sub"].rsplit(":alarm:", 1)[1]
                 for r in statements["ReadReleaseAlarms"]["Resource"]}
    assert statements["ReadReleaseAlarms"]["Action"] == ["cloudwatch:DescribeAlarms"]
    assert described == watched
    shift = statements["ShiftTheLiveAlias"]
    assert set(shift["Action"]) == {"lambda:GetAlias", "lambda:UpdateAlias",
                                    "lambda:GetProvisionedConcurrencyConfig"}
    assert shift["Resource"] == [{"Fn::GetAtt": [ids.FUNCTION, "Arn"]}, {
        "Fn::Sub": ["${Fn}:live", {"Fn": {"Fn::GetAtt": [ids.FUNCTION, "Arn"]}}]}]
    run = statements["RunThePreTrafficCheck"]
    assert run == {"Sid": "RunThePreTrafficCheck", "Effect": "Allow",
                   "Action": ["lambda:InvokeFunction"],
                   "Resource": [{"Fn::GetAtt": [ids.PRETRAFFIC_HOOK, "Arn"]}]}


# -- the hook function ------------------------------------------------------------------

def test_hook_checks_the_new_version_from_the_same_artifact(prod_template):
    res = prod_template["Resources"]
    hook = res[ids.PRETRAFFIC_HOOK]["Properties"]
    function = res[ids.FUNCTION]["Properties"]
    assert hook["Code"] == function["Code"]
    assert hook["Environment"]["Variables"]["NewVersion"] == {"Ref": _version_id(prod_template)}
    assert hook["Environment"]["Variables"]["STAGE"] == \
        res[ids.STAGE]["Properties"]["StageName"]
    module, name = hook["Handler"].rsplit(".", 1)
    assert callable(getattr(importlib.import_module(module), name))
    assert hook["Role"] == {"Fn::GetAtt": [ids.PRETRAFFIC_HOOK_ROLE, "Arn"]}
    assert hook["LoggingConfig"]["LogGroup"] == {"Ref": ids.PRETRAFFIC_HOOK_LOG_GROUP}
    # Room for every check to take the API function's whole timeout.
    assert hook["Timeout"] >= 5 * function["Timeout"]


def test_nothing_but_codedeploy_may_invoke_the_hook(prod_template):
    hook = prod_template["Resources"][ids.PRETRAFFIC_HOOK]["Properties"]
    for permission in resources_of_type(prod_template, "AWS::Lambda::Permission").values():
        target = json.dumps(permission["Properties"]["FunctionName"])
        assert ids.PRETRAFFIC_HOOK not in target and ids.FUNCTION_ALIAS in target
    # Not the name AWS's managed CodeDeploy policies let ANY deployment invoke.
    assert not hook["FunctionName"].startswith("CodeDeployHook_")
