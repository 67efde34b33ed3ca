"""stack-review's impact rules against cfn-lint's own schema API (the independent
evidence: cfn-lint's PROVIDER_SCHEMA_MANAGER, not the files stack_review reads), on small
hand-made templates: no rendering, so these run in milliseconds."""

from __future__ import annotations

from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from stack_review import report
from stack_review.diff import ResourceChange
from stack_review.values import pair, short

REGION = "us-west-2"
TYPES = ("AWS::DynamoDB::Table", "AWS::Lambda::Function", "AWS::S3::Bucket",
         "AWS::Lambda::Permission", "AWS::Logs::LogGroup", "AWS::ApiGateway::Method",
         "AWS::IAM::Role", "AWS::KMS::Key")


def cfn_schema(type_name: str) -> dict[str, Any]:
    return PROVIDER_SCHEMA_MANAGER.get_resource_schema(REGION, type_name).schema


def top_level(pointers: list[str]) -> list[str]:
    return [p.split("/")[2] for p in pointers if p.count("/") == 2]


def rendering(resources: dict[str, Any], outputs: dict[str, Any] | None = None,
              name: str = "dev/app") -> dict[str, Any]:
    return {"stacks": {name: {"external_name": name.replace("/", "-"), "region": REGION,
                              "parameters": {}, "tags": {},
                              "template": {"Resources": resources, "Outputs": outputs or {}}}}}


def review(old: dict[str, Any], new: dict[str, Any]) -> dict[str, ResourceChange]:
    result = report.build("old", "new", rendering(old), rendering(new))
    return {c.logical_id: c for _, c in result.resources()}


def resource(type_name: str, **properties: Any) -> dict[str, Any]:
    return {"Type": type_name, "Properties": properties}


@pytest.mark.parametrize("type_name", TYPES)
def test_every_create_only_property_replaces_and_others_update(type_name):
    schema = cfn_schema(type_name)
    create_only = top_level(schema.get("createOnlyProperties", []))
    for prop in create_only:
        change = review({"R": resource(type_name, **{prop: "a"})},
                        {"R": resource(type_name, **{prop: "b"})})["R"]
        assert change.action == "replace", (type_name, prop)
        assert any(prop in reason for reason in change.reasons)
    untouched = set(create_only) | set(top_level(
        schema.get("conditionalCreateOnlyProperties", []) + schema.get("readOnlyProperties", [])))
    mutable = [p for p in schema["properties"] if p not in untouched]
    for prop in mutable[:5]:
        if type_name in ("AWS::DynamoDB::Table",) and prop in ("AttributeDefinitions",):
            continue  # the override below decides
        change = review({"R": resource(type_name, **{prop: "a"})},
                        {"R": resource(type_name, **{prop: "b"})})["R"]
        assert change.action == "update", (type_name, prop)


def test_conditionally_create_only_property_may_replace():
    type_name = next(t for t in TYPES if t != "AWS::DynamoDB::Table"
                     and cfn_schema(t).get("conditionalCreateOnlyProperties"))
    prop = top_level(cfn_schema(type_name)["conditionalCreateOnlyProperties"])[0]
    change = review({"R": resource(type_name, **{prop: {"X": 1}})},
                    {"R": resource(type_name, **{prop: {"X": 2}})})["R"]
    assert change.action == "may replace"


def table(key: str = "id", key_type: str = "S", **extra: Any) -> dict[str, Any]:
    return resource("AWS::DynamoDB::Table", KeySchema=[{"AttributeName": key, "KeyType": "HASH"}],
                    AttributeDefinitions=[{"AttributeName": key, "AttributeType": key_type}],
                    **extra)


def test_override_a_table_key_change_replaces_though_the_schema_says_conditional():
    assert "/properties/KeySchema" not in cfn_schema("AWS::DynamoDB::Table")["createOnlyProperties"]
    assert review({"T": table()}, {"T": table("pk")})["T"].action == "replace"
    assert review({"T": table()}, {"T": table(key_type="N")})["T"].action == "replace"
    with_index = table(GlobalSecondaryIndexes=[{"IndexName": "i"}])
    with_index["Properties"]["AttributeDefinitions"].append(
        {"AttributeName": "other", "AttributeType": "S"})
    assert review({"T": table()}, {"T": with_index})["T"].action == "update"


def test_a_changed_type_replaces():
    change = review({"Q": resource("AWS::SQS::Queue")}, {"Q": resource("AWS::SNS::Topic")})["Q"]
    assert change.action == "replace" and "type changes" in change.reasons[0]


def test_replacement_propagates_through_ref_getatt_and_sub():
    function = resource("AWS::Lambda::Function", FunctionName="f1", Role="r")
    renamed = resource("AWS::Lambda::Function", FunctionName="f2", Role="r")
    dependants = {
        "Permission": resource("AWS::Lambda::Permission", FunctionName={"Ref": "Fn"},
                               Action="lambda:InvokeFunction", Principal="s3.amazonaws.com"),
        "Alarm": resource("AWS::CloudWatch::Alarm",
                          AlarmDescription={"Fn::Sub": "watching ${Fn.Arn}"}),
        "Policy": resource("AWS::IAM::ManagedPolicy", PolicyDocument={"Statement": [
            {"Effect": "Allow", "Action": "lambda:InvokeFunction",
             "Resource": {"Fn::GetAtt": ["Fn", "Arn"]}}]}),
        "Bystander": resource("AWS::SNS::Topic", TopicName="t"),
    }
    changes = review({"Fn": function, **dependants}, {"Fn": renamed, **dependants})
    assert changes["Fn"].action == "replace"
    assert changes["Permission"].action == "replace"  # FunctionName is create-only there
    assert changes["Alarm"].action == changes["Policy"].action == "update"
    assert "refers to Fn, which is replaced" in changes["Alarm"].reasons
    assert "Bystander" not in changes


def test_custom_named_replacement_is_flagged_and_does_not_propagate():
    old = {"T": table(TableName="items"), "A": resource("AWS::CloudWatch::Alarm",
                                                      AlarmDescription={"Ref": "T"})}
    new = {"T": table("pk", TableName="items"), "A": old["A"]}
    changes = review(old, new)
    assert changes["T"].action == "replace"
    assert any("cannot replace a custom-named resource" in r for r in changes["T"].reasons)
    assert "A" not in changes


def test_destroy_orphan_and_data_loss():
    retained_log = {**resource("AWS::Logs::LogGroup"), "DeletionPolicy": "Retain"}
    old = {"T": table(), "Log": resource("AWS::Logs::LogGroup"), "Kept": retained_log,
           "Bucket": {**resource("AWS::S3::Bucket"), "DeletionPolicy": "Retain"}}
    changes = review(old, {})
    assert (changes["T"].action, changes["T"].data_loss) == ("destroy", "DATA LOSS")
    assert (changes["Log"].action, changes["Log"].data_loss) == ("destroy", "")
    assert (changes["Kept"].action, changes["Kept"].data_loss) == ("orphan", "DATA ORPHANED")
    assert (changes["Bucket"].action, changes["Bucket"].data_loss) == ("orphan", "DATA ORPHANED")


def test_removed_export_that_another_stack_imports_breaks_deploys():
    export = {"Out": {"Value": "x", "Export": {"Name": {"Fn::Sub": "${AWS::StackName}-Out"}}}}
    importer = {"external_name": "dev-user", "region": REGION, "parameters": {}, "tags": {},
                "template": {"Resources": {"Q": resource(
                    "AWS::SQS::Queue", QueueName={"Fn::ImportValue": "dev-app-Out"})}}}
    old, new = rendering({}, export), rendering({}, {})
    old["stacks"]["dev/user"] = new["stacks"]["dev/user"] = importer
    (app,) = [s for s in report.build("old", "new", old, new).stacks if s.name == "dev/app"]
    assert app.notes == ["BREAKS DEPLOYS: export dev-app-Out is removed but dev/user still "
                         "import(s) it"]


def test_long_values_are_cut_but_stay_distinguishable():
    a, b = "lambda/api-" + "a" * 64 + ".zip", "lambda/api-" + "a" * 30 + "b" * 34 + ".zip"
    assert len(short(a, 40)) <= 40 and short(a, 40) != short(b, 40)
    before, after = pair(a, b, 40)
    assert len(before) <= 40 and before != after and "b" in after


def security(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str, str]]:
    result = report.build("old", "new", rendering(old), rendering(new))
    return [(s.sign, s.resource, s.kind) for stack in result.stacks for s in stack.security]


def test_security_section_covers_access_changes_and_ignores_the_rest():
    method = resource("AWS::ApiGateway::Method", HttpMethod="GET", AuthorizationType="NONE")
    authorized = resource("AWS::ApiGateway::Method", HttpMethod="GET",
                          AuthorizationType="COGNITO_USER_POOLS", AuthorizerId={"Ref": "Auth"})
    assert ("~", "M", "authorization") in security({"M": method}, {"M": authorized})
    authorizer = resource("AWS::ApiGateway::Authorizer", ProviderARNs=["a"])
    moved = resource("AWS::ApiGateway::Authorizer", ProviderARNs=["b"])
    assert security({"A": authorizer}, {"A": moved}) == [("~", "A", "AWS::ApiGateway::Authorizer")]
    assert security({}, {"A": authorizer}) == [("+", "A", "AWS::ApiGateway::Authorizer")]
    key_policy = {"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"},
                                "Action": "kms:Decrypt", "Resource": "*"}]}
    assert ("+", "K", "IAM statement") in security(
        {"K": resource("AWS::KMS::Key")}, {"K": resource("AWS::KMS::Key", KeyPolicy=key_policy)})
    bucket = resource("AWS::S3::Bucket", PublicAccessBlockConfiguration={"BlockPublicAcls": True})
    opened = resource("AWS::S3::Bucket", PublicAccessBlockConfiguration={"BlockPublicAcls": False})
    assert security({"B": bucket}, {"B": opened}) == [("~", "B", "public access")]
    # A WAF rule's Statement is not an IAM statement; an alarm's threshold is not security.
    rule = {"Name": "r", "Statement": {"RateBasedStatement": {"Limit": 100}}}
    acl = resource("AWS::WAFv2::WebACL", Rules=[rule])
    assert all(kind != "IAM statement" for _, _, kind in security({}, {"W": acl}))
    alarm = resource("AWS::CloudWatch::Alarm", Threshold=1)
    assert security({"X": alarm}, {"X": resource("AWS::CloudWatch::Alarm", Threshold=2)}) == []


def test_a_metadata_only_change_says_the_resource_is_untouched():
    old = {"Q": {**resource("AWS::SQS::Queue"), "Metadata": {"note": "a"}}}
    new = {"Q": {**resource("AWS::SQS::Queue"), "Metadata": {"note": "b"}}}
    change = review(old, new)["Q"]
    assert change.action == "update" and "Metadata" in change.reasons[0]
    touched = {"Q": {**resource("AWS::SQS::Queue", DelaySeconds=5), "Metadata": {"note": "b"}}}
    assert review(old, touched)["Q"].reasons == []


def _release(old_version: str, new_version: str, granted: str) -> list:
    """A role whose one grant names `granted` across a release from old to new version."""
    def stack(version: str, grant: str) -> dict[str, Any]:
        return {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "f"}},
                version: {"Type": "AWS::Lambda::Version",
                          "Properties": {"FunctionName": {"Ref": "Fn"}}},
                "Other": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "o"}},
                "Role": {"Type": "AWS::IAM::Role", "Properties": {
                    "AssumeRolePolicyDocument": {}, "Policies": [{
                        "PolicyName": "p", "PolicyDocument": {"Statement": [{
                            "Effect": "Allow", "Action": "lambda:InvokeFunction",
                            "Resource": {"Ref": grant}}]}}]}}}

    result = report.build("old", "new", rendering(stack(old_version, old_version)),
                          rendering(stack(new_version, granted)))
    return [change for diff in result.stacks for change in diff.security]


def test_a_grant_that_follows_the_released_version_is_not_a_security_change():
    assert _release("Version1", "Version2", granted="Version2") == []


def test_a_grant_that_moves_elsewhere_across_a_release_still_is():
    changes = _release("Version1", "Version2", granted="Other")
    assert {(c.sign, c.detail.split(": ", 1)[1]) for c in changes} == {
        ("-", "Allow lambda:InvokeFunction on !Ref Version1"),
        ("+", "Allow lambda:InvokeFunction on !Ref Other")}
