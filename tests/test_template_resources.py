"""The rendered API stack, both environments: table, function, logs, IAM, outputs."""

from __future__ import annotations

import re

from data_api import storage
from data_api_stack import ids
from lambda_artifact.build import build_artifact
from tests.helpers import REPO, resources_of_type, settings, walk


def _one(template: dict, type_name: str) -> dict:
    found = resources_of_type(template, type_name)
    assert len(found) == 1, f"expected one {type_name}, found {sorted(found)}"
    return next(iter(found.values()))


def test_description_names_the_environment(env_template):
    env, template = env_template
    assert f"'{env}'" in template["Description"]


def test_table_key_and_throughput(env_template):
    _, template = env_template
    props = template["Resources"][ids.TABLE]["Properties"]
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert props["BillingMode"] == "PROVISIONED"
    assert props["ProvisionedThroughput"] == {"ReadCapacityUnits": 5, "WriteCapacityUnits": 5}
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}


def test_prod_table_survives_deletes_dev_does_not(dev_template, prod_template):
    prod = prod_template["Resources"][ids.TABLE]
    assert prod["DeletionPolicy"] == prod["UpdateReplacePolicy"] == "Retain"
    assert prod["Properties"]["DeletionProtectionEnabled"] is True
    dev = dev_template["Resources"][ids.TABLE]
    assert dev["DeletionPolicy"] == "Delete"
    assert dev["Properties"]["DeletionProtectionEnabled"] is False


def test_function_runtime_code_and_settings(env_template):
    env, template = env_template
    props = template["Resources"][ids.FUNCTION]["Properties"]
    assert props["Runtime"] == "python3.14"
    assert props["Architectures"] == ["arm64"]
    module, function = props["Handler"].rsplit(".", 1)
    source = REPO / "handlers" / (module.replace(".", "/") + ".py")
    assert f"def {function}(" in source.read_text()
    assert props["Code"]["S3Bucket"] == {"Ref": ids.ARTIFACT_BUCKET_PARAM}
    assert props["Code"]["S3Key"] == build_artifact(REPO / "handlers").key
    assert re.fullmatch(r"lambda/api-[0-9a-f]{64}\.zip", props["Code"]["S3Key"])
    assert 128 <= props["MemorySize"] <= 1024 and 3 <= props["Timeout"] <= 29
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Role"] == {"Fn::GetAtt": [ids.FUNCTION_ROLE, "Arn"]}


def test_function_environment_names_table_and_origin(dev_template, prod_template):
    dev = dev_template["Resources"][ids.FUNCTION]["Properties"]["Environment"]["Variables"]
    prod = prod_template["Resources"][ids.FUNCTION]["Properties"]["Environment"]["Variables"]
    assert dev["COLLECTIONS"] == prod["COLLECTIONS"] == {"Fn::Sub": '{"/data":"${%s}"}' % ids.TABLE}
    assert dev["CORS_ORIGIN"] == "*"
    assert prod["CORS_ORIGIN"].startswith("https://")


def test_function_logs_json_to_its_own_group_created_first(env_template):
    env, template = env_template
    logging = template["Resources"][ids.FUNCTION]["Properties"]["LoggingConfig"]
    # A Ref is also the dependency: the group exists before the function runs.
    assert logging["LogGroup"] == {"Ref": ids.FUNCTION_LOG_GROUP}
    assert logging["LogFormat"] == "JSON"
    group = template["Resources"][ids.FUNCTION_LOG_GROUP]
    assert group["Type"] == "AWS::Logs::LogGroup"
    assert group["Properties"]["RetentionInDays"] == settings(env)["log_retention_days"]


def test_log_retention_comes_from_config(dev_template, prod_template):
    for template, days in ((dev_template, 14), (prod_template, 90)):
        for group in resources_of_type(template, "AWS::Logs::LogGroup").values():
            assert group["Properties"]["RetentionInDays"] == days


def _policy_statements(template: dict) -> list[dict]:
    role = template["Resources"][ids.FUNCTION_ROLE]["Properties"]
    assert "ManagedPolicyArns" not in role, "no managed policy: it grants more than we need"
    return [s for policy in role["Policies"] for s in policy["PolicyDocument"]["Statement"]]


def test_role_trusts_lambda_only(env_template):
    _, template = env_template
    trust = template["Resources"][ids.FUNCTION_ROLE]["Properties"]["AssumeRolePolicyDocument"]
    assert trust["Statement"] == [{"Action": ["sts:AssumeRole"], "Effect": "Allow",
                                   "Principal": {"Service": ["lambda.amazonaws.com"]}}]


def test_role_grants_exactly_what_the_handler_calls(env_template):
    _, template = env_template
    by_sid = {s["Sid"]: s for s in _policy_statements(template)}
    assert set(by_sid) == {"ItemsTable", "IdempotencyRecords", "OwnLogGroup", "XRayTraces"}
    table = by_sid["ItemsTable"]
    assert sorted(table["Action"]) == sorted(f"dynamodb:{a}" for a in storage.DYNAMODB_ACTIONS)
    assert table["Resource"] == [{"Fn::GetAtt": [ids.TABLE, "Arn"]}]
    records = by_sid["IdempotencyRecords"]
    assert sorted(records["Action"]) == ["dynamodb:GetItem", "dynamodb:PutItem"]
    assert records["Resource"] == [{"Fn::GetAtt": [ids.IDEMPOTENCY_TABLE, "Arn"]}]
    logs = by_sid["OwnLogGroup"]
    assert sorted(logs["Action"]) == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert logs["Resource"] == [{"Fn::GetAtt": [ids.FUNCTION_LOG_GROUP, "Arn"]}]
    assert sorted(by_sid["XRayTraces"]["Action"]) == ["xray:PutTelemetryRecords",
                                                      "xray:PutTraceSegments"]


def test_the_only_wildcards_are_xray(env_template):
    _, template = env_template
    for statement in _policy_statements(template):
        assert statement["Effect"] == "Allow"
        assert all("*" not in action for action in statement["Action"])
        if statement["Sid"] != "XRayTraces":
            assert "*" not in statement["Resource"]


def test_outputs_exported_with_environment_names(env_template):
    env, template = env_template
    outputs = template["Outputs"]
    assert outputs[ids.OUTPUT_FUNCTION_ARN]["Value"] == {"Fn::GetAtt": [ids.FUNCTION, "Arn"]}
    assert outputs[ids.OUTPUT_TABLE_NAME]["Value"] == {"Ref": ids.TABLE}
    url = outputs[ids.OUTPUT_API_URL]["Value"]["Fn::Sub"]
    assert url[0].startswith("https://${Api}.execute-api.${AWS::Region}.")
    assert url[0].endswith("/${Stage}/") and url[1]["Stage"] == {"Ref": ids.STAGE}
    for output in outputs.values():
        assert f"-{env}-" in output["Export"]["Name"]


def test_environments_never_collide(dev_template, prod_template):
    """Every physical name and export differs between dev and prod."""
    name_keys = ("TableName", "FunctionName", "LogGroupName", "Name")
    # Names that live inside one REST API (each environment has its own), not the account.
    in_api = {"AWS::ApiGateway::Model", "AWS::ApiGateway::RequestValidator"}

    def names(template: dict) -> set[str]:
        # An alias name is scoped to its function (already distinct), not global.
        found = {props[key] for res in template["Resources"].values()
                 if res["Type"] != "AWS::Lambda::Alias" and res["Type"] not in in_api
                 for props in [res.get("Properties", {})] for key in name_keys
                 if isinstance(props.get(key), str)}
        found |= {out["Export"]["Name"] for out in template["Outputs"].values()}
        return found

    dev, prod = names(dev_template), names(prod_template)
    assert len(dev) >= 6 and not dev & prod, f"shared names: {dev & prod}"


def test_logical_ids_identical_across_environments(dev_template, prod_template):
    def stable(template: dict) -> set[str]:
        return {name for name in template["Resources"]
                if not name.startswith(("Deployment", ids.FUNCTION_VERSION_PREFIX))}

    # The only differences are the per-env switches: auto scaling, gradual releases, WAF.
    assert stable(dev_template) - stable(prod_template) == {
        "TableReadCapacityAlarm", "TableWriteCapacityAlarm"}
    assert stable(prod_template) - stable(dev_template) == {
        "TableReadScalableTarget", "TableReadScalingPolicy",
        "TableWriteScalableTarget", "TableWriteScalingPolicy",
        ids.CODEDEPLOY_APPLICATION, ids.DEPLOYMENT_GROUP, ids.CODEDEPLOY_ROLE,
        ids.PRETRAFFIC_HOOK, ids.PRETRAFFIC_HOOK_ROLE, ids.PRETRAFFIC_HOOK_LOG_GROUP,
        "ReleaseVersionErrorsAlarm", "ReleaseAliasThrottlesAlarm",
        ids.WEB_ACL, ids.WEB_ACL_ASSOCIATION}
    assert not any(isinstance(v, str) and "prod" in v.lower() for v in walk(dev_template))


def test_template_fits_cloudformation_through_s3(env_template):
    """Near 51,200 bytes (an inline TemplateBody's limit) the API stack's template goes
    through S3: Sceptre uploads it to the artifacts bucket (template_bucket_name) and
    CloudFormation reads it by URL, where the limit is 1 MB."""
    import json

    from tests.helpers import sceptre

    env, template = env_template
    assert len(json.dumps(template, separators=(",", ":"))) < 1_000_000
    out = sceptre("--ignore-dependencies", "--output", "json", "dump", "config",
                  f"{env}/api.yaml").stdout
    config = json.loads(out[out.index("{"):])
    assert config["template_bucket_name"] == f"!StackOutputLaunch({env}/artifacts.yaml::BucketName)"
    assert config["template_key_prefix"] == "templates"
