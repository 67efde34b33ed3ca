"""Every collection gets everything `/data` has: its table, routes, IAM on its exact
table ARN, alarms in the composite, dashboard widgets and an output; rendered from the
shipped dev and prod configs plus `data`, an on-demand `orders` and a provisioned
`customers` (tests.helpers.COLLECTIONS_VARIANT)."""

from __future__ import annotations

import json
import re

import pytest

from data_api import collection_env
from data_api_stack import build_template, parse_config
from data_api_stack.limits import LimitError
from tests.helpers import PROJECT, arn_like, render_collections_variant, resources_of_type

TABLES = {"data": "DataTable", "orders": "OrdersTable", "customers": "CustomersTable"}
PATHS = {"data": "/data", "orders": "/orders", "customers": "/customers"}


@pytest.fixture(scope="module", params=["dev", "prod"])
def variant(request: pytest.FixtureRequest) -> tuple[str, dict]:
    return request.param, json.loads(render_collections_variant(request.param))


def test_each_collection_has_its_own_table_with_the_data_tables_protections(variant):
    env, template = variant
    tables = resources_of_type(template, "AWS::DynamoDB::Table")
    assert tables.pop("IdempotencyTable")["Properties"]["TableName"] == \
        f"serverless-data-{env}-idempotency-keys"  # every collection's records, one table
    assert set(tables) == set(TABLES.values())
    names = {logical: table["Properties"]["TableName"] for logical, table in tables.items()}
    assert names == {"DataTable": f"serverless-data-{env}-items",
                     "OrdersTable": f"serverless-data-{env}-orders",
                     "CustomersTable": f"serverless-data-{env}-customers"}
    for logical, table in tables.items():
        props = table["Properties"]
        assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
        assert props["SSESpecification"] == {"SSEEnabled": True}
        kept = env == "prod"
        assert props["DeletionProtectionEnabled"] is kept
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == (
            "Retain" if kept else "Delete")
    assert tables["OrdersTable"]["Properties"]["BillingMode"] == "PAY_PER_REQUEST"
    assert "ProvisionedThroughput" not in tables["OrdersTable"]["Properties"]
    for logical in ("DataTable", "CustomersTable"):
        assert tables[logical]["Properties"]["BillingMode"] == "PROVISIONED"
        assert tables[logical]["Properties"]["ProvisionedThroughput"]


def test_auto_scaling_covers_every_provisioned_table_and_no_on_demand_one(variant):
    env, template = variant
    targets = resources_of_type(template, "AWS::ApplicationAutoScaling::ScalableTarget")
    scaled = {json.dumps(t["Properties"]["ResourceId"]) for t in targets.values()}
    expected = {"DataTable", "CustomersTable"} if env == "prod" else set()
    assert {name for name in TABLES.values() if any(name in s for s in scaled)} == expected
    # A provisioned table's indexes scale too (each has its own capacity): customers'.
    indexes = [(json.dumps(t["Properties"]["ResourceId"]), t["Properties"]["ScalableDimension"])
               for t in targets.values() if "/index/" in json.dumps(t["Properties"])]
    assert sorted(indexes) == ([] if env != "prod" else sorted(
        (json.dumps({"Fn::Sub": ["table/${Table}/index/by_email",
                                 {"Table": {"Ref": "CustomersTable"}}]}),
         f"dynamodb:index:{kind}CapacityUnits") for kind in ("Read", "Write")))
    assert len(targets) == 2 * len(expected) + len(indexes)
    policies = resources_of_type(template, "AWS::ApplicationAutoScaling::ScalingPolicy")
    names = [p["Properties"]["PolicyName"] for p in policies.values()]
    assert len(names) == len(set(names)) == len(targets)


def test_the_function_may_touch_exactly_each_tables_arn(variant):
    _, template = variant
    role = template["Resources"]["ApiFunctionRole"]["Properties"]
    statements = [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]
                  if any(a.startswith("dynamodb:") for a in s["Action"])]
    tables, indexes, records = statements
    assert records["Resource"] == [{"Fn::GetAtt": ["IdempotencyTable", "Arn"]}]
    assert sorted(json.dumps(r) for r in tables["Resource"]) == sorted(
        json.dumps({"Fn::GetAtt": [t, "Arn"]}) for t in TABLES.values())
    assert "dynamodb:Query" not in tables["Action"]
    # Query, on exactly each index the tables define, by its ARN (IAM's form for an
    # index: <table ARN>/index/<name>).
    assert indexes["Action"] == ["dynamodb:Query"]
    defined = [(table, index["IndexName"]) for table in TABLES.values()
               for index in template["Resources"][table]["Properties"].get(
                   "GlobalSecondaryIndexes", [])]
    assert len(defined) == 2
    assert sorted(json.dumps(r) for r in indexes["Resource"]) == sorted(
        json.dumps({"Fn::Sub": f"${{{table}.Arn}}/index/{name}"}) for table, name in defined)
    assert "*" not in json.dumps(statements)


def test_the_function_routes_each_path_to_its_own_table(variant):
    _, template = variant
    variables = template["Resources"]["ApiFunction"]["Properties"]["Environment"]["Variables"]
    rendered = re.sub(r"\$\{(\w+)\}", lambda m: "Ref:" + m.group(1),
                      variables[collection_env.ENV]["Fn::Sub"])
    decoded = json.loads(rendered)
    assert {path: value if isinstance(value, str) else value["table"]
            for path, value in decoded.items()} == {
        PATHS[name]: "Ref:" + TABLES[name] for name in TABLES}
    assert collection_env.decode(rendered)["/orders"].indexes[0].name == "by_customer"


def _routes(template: dict) -> dict[tuple[str, str], dict]:
    resources = resources_of_type(template, "AWS::ApiGateway::Resource")

    def path(logical: str) -> str:
        parent = resources[logical]["Properties"]["ParentId"]
        part = resources[logical]["Properties"]["PathPart"]
        return (path(parent["Ref"]) if "Ref" in parent else "") + "/" + part

    return {(path(m["Properties"]["ResourceId"]["Ref"]), m["Properties"]["HttpMethod"]): m
            for m in resources_of_type(template, "AWS::ApiGateway::Method").values()
            if "Ref" in m["Properties"]["ResourceId"]}


# Collections of COLLECTIONS_VARIANT with a schema, and the prefix of their own models.
SCHEMAS = {"orders": "Orders"}


def test_each_collection_serves_the_same_methods_with_the_same_auth_and_validation(variant):
    _, template = variant
    routes = _routes(template)
    for name, path in PATHS.items():
        for route, verbs in ((path, ("GET", "POST")), (path + "/{id}", ("GET", "PUT", "DELETE"))):
            for verb in (*verbs, "OPTIONS", "ANY"):
                method, reference = routes[(route, verb)], routes[
                    (route.replace(path, "/data"), verb)]
                props = {k: v for k, v in method["Properties"].items() if k != "ResourceId"}
                same = {k: v for k, v in reference["Properties"].items() if k != "ResourceId"}
                if verb == "ANY":  # the 405 names its own path
                    assert path in json.dumps(props["Integration"])
                    continue
                if "RequestModels" in props and name in SCHEMAS:  # its own body models
                    model = props.pop("RequestModels")["application/json"]["Ref"]
                    shared = same.pop("RequestModels")["application/json"]["Ref"]
                    assert model == SCHEMAS[name] + shared
                if "AuthorizationScopes" in props:  # its own scopes where data has data's
                    assert props.pop("AuthorizationScopes") == [
                        s.replace("/data.", f"/{name}.") for s in same.pop("AuthorizationScopes")]
                assert props == same, (route, verb)


def test_the_one_invoke_permission_covers_every_collections_methods(variant):
    env, template = variant
    (permission,) = resources_of_type(template, "AWS::Lambda::Permission").values()
    arn = permission["Properties"]["SourceArn"]["Fn::Sub"][0]
    api = "arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:${Api}"
    for path in PATHS.values():
        for verb, route in (("GET", path), ("POST", path), ("GET", path + "/a"),
                            ("PUT", path + "/a"), ("DELETE", path + "/a")):
            assert arn_like(arn, f"{api}/{env}/{verb}{route}"), (verb, route)


def test_every_tables_alarms_are_in_the_composite_and_on_the_dashboard(variant):
    env, template = variant
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
    rule = next(iter(resources_of_type(template, "AWS::CloudWatch::CompositeAlarm").values()))[
        "Properties"]["AlarmRule"]
    body, variables = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    for table in TABLES.values():
        about = [a for a in alarms.values() if table in json.dumps(a["Properties"])]
        kinds = {a["Properties"].get("MetricName") or "SystemErrors" for a in about}
        assert {"ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"} <= kinds, table
        for alarm in about:
            assert f'ALARM("{alarm["Properties"]["AlarmName"]}")' in rule
        (variable,) = [k for k, v in variables.items() if v == {"Ref": table}]
        assert body.count("${" + variable + "}") >= 5, table
    names = [a["Properties"]["AlarmName"] for a in alarms.values()]
    assert len(names) == len(set(names))


def test_each_table_is_an_output_and_data_keeps_its_table_name_output(variant):
    env, template = variant
    outputs = template["Outputs"]
    assert outputs["TableName"]["Value"] == {"Ref": "DataTable"}
    assert outputs["OrdersTableName"]["Value"] == {"Ref": "OrdersTable"}
    assert outputs["CustomersTableName"]["Value"] == {"Ref": "CustomersTable"}
    exports = [o["Export"]["Name"] for o in outputs.values()]
    assert len(exports) == len(set(exports))


def test_as_many_collections_as_fit_keep_the_functions_environment_under_lambdas_4_kb():
    """Lambda caps a function's variables at 4 KB in total (names and values); the
    function learns its collections from one of them. As many collections as one stack
    holds, of the longest name, with the longest environment name, resolved as
    CloudFormation would: other limits stop them first."""
    names = [f"{chr(ord('a') + n % 26)}{n // 26}{'x' * 30}" for n in range(60)]
    settings = {**PROJECT, "environment": "e" * 16, "code_key": "lambda/api-" + "0" * 64 + ".zip"}
    with pytest.raises(LimitError) as over:
        build_template(parse_config({**settings, "collections": dict.fromkeys(names, {})}))
    assert "environment" not in str(over.value)
    most = over.value.fit
    assert most >= 15
    names = names[:most]
    cfg = parse_config({**settings, "collections": {name: {} for name in names}})
    function = build_template(cfg).to_dict()["Resources"]["ApiFunction"]["Properties"]
    variables = function["Environment"]["Variables"]
    tables = {t: r["Properties"]["TableName"] for t, r in build_template(cfg).to_dict()[
        "Resources"].items() if r["Type"] == "AWS::DynamoDB::Table"}
    resolved = re.sub(r"\$\{(\w+)\}", lambda m: tables[m.group(1)],
                      variables[collection_env.ENV]["Fn::Sub"])
    assert len(json.loads(resolved)) == most
    assert len(function["Description"]) <= 256
    # Other variables as the dev template has them (two client ids: 60 characters), the
    # whole map's JSON as Lambda measures it.
    others = {k: v if isinstance(v, str) else "x" * 60 for k, v in variables.items()}
    assert len(json.dumps({**others, collection_env.ENV: resolved})) < 4096


def test_a_collections_index_and_expiry_are_on_its_table(variant):
    """The index: a global secondary index keyed on the field's top-level mirror, every
    attribute projected (a query answers whole items); the expiry: TTL on its mirror."""
    _, template = variant
    orders = template["Resources"]["OrdersTable"]["Properties"]
    assert orders["GlobalSecondaryIndexes"] == [{
        "IndexName": "by_customer", "Projection": {"ProjectionType": "ALL"},
        "KeySchema": [{"AttributeName": "customer_id", "KeyType": "HASH"}]}]
    assert {"AttributeName": "customer_id", "AttributeType": "S"} in orders[
        "AttributeDefinitions"]
    assert orders["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    for name in ("DataTable", "CustomersTable"):
        assert "TimeToLiveSpecification" not in template["Resources"][name]["Properties"]
    customers = template["Resources"]["CustomersTable"]["Properties"]
    (index,) = customers["GlobalSecondaryIndexes"]
    assert index["ProvisionedThroughput"] == customers["ProvisionedThroughput"]


def test_the_document_has_each_collections_schema_and_queries(variant):
    from data_api_stack.openapi import build_openapi
    from tests.helpers import ORDERS_SCHEMA, collections_variant_config

    env, _ = variant
    document = build_openapi(collections_variant_config(env), [])
    create = document["paths"]["/orders"]["post"]["requestBody"]["content"][
        "application/json"]["schema"]
    assert create == {"$ref": "#/components/schemas/OrdersNewItem"}
    data = document["components"]["schemas"]["OrdersNewItem"]["properties"]["data"]
    assert data["allOf"][1] == ORDERS_SCHEMA
    assert document["paths"]["/data"]["post"]["requestBody"]["content"]["application/json"][
        "schema"] == {"$ref": "#/components/schemas/NewItem"}
    listed = {p["name"]: p for p in document["paths"]["/orders"]["get"]["parameters"]}
    assert set(listed) == {"limit", "next", "customer_id"}
    assert listed["customer_id"]["in"] == "query" and not listed["customer_id"]["required"]
    assert "eventually consistent" in listed["customer_id"]["description"]
    assert "next" in {p["name"] for p in document["paths"]["/data"]["get"]["parameters"]}
    assert "customer_id" not in {p["name"] for p in document["paths"]["/data"]["get"][
        "parameters"]}
    assert "email" in {p["name"] for p in document["paths"]["/customers"]["get"]["parameters"]}
