"""API Gateway request validation in the rendered template, and the model subset check."""

from __future__ import annotations

import json

import pytest
from jsonschema import Draft4Validator

from data_api import contract
from data_api_stack import build_template, parse_config
from data_api_stack.apigw_schema import DRAFT4, ModelSchemaError, check_model
from tests.helpers import PROJECT, resources_of_type

CODE_KEY = "lambda/api-" + "0" * 64 + ".zip"
BODY_METHODS = ("POST", "PUT")


def _schema(model: dict) -> dict:
    schema = model["Properties"]["Schema"]
    return json.loads(schema) if isinstance(schema, str) else schema


def test_every_post_and_put_has_a_body_validator_and_a_model(env_template):
    _, template = env_template
    resources = template["Resources"]
    methods = resources_of_type(template, "AWS::ApiGateway::Method")
    with_body = [m["Properties"] for m in methods.values()
                 if m["Properties"]["HttpMethod"] in BODY_METHODS]
    assert len(with_body) == 2
    for method in with_body:
        validator = resources[method["RequestValidatorId"]["Ref"]]
        assert validator["Type"] == "AWS::ApiGateway::RequestValidator"
        assert validator["Properties"]["ValidateRequestBody"] is True
        assert validator["Properties"]["ValidateRequestParameters"] is True
        model = resources[method["RequestModels"]["application/json"]["Ref"]]
        assert model["Type"] == "AWS::ApiGateway::Model"
        assert model["Properties"]["ContentType"] == "application/json"


def test_item_methods_validate_their_required_path_parameter(env_template):
    _, template = env_template
    resources = template["Resources"]
    for method in resources_of_type(template, "AWS::ApiGateway::Method").values():
        props = method["Properties"]
        required = [k for k, v in (props.get("RequestParameters") or {}).items() if v]
        if props["HttpMethod"] == "OPTIONS":
            assert "RequestValidatorId" not in props  # the preflight is never validated
            continue
        if required:
            assert required == ["method.request.path.id"]
            validator = resources[props["RequestValidatorId"]["Ref"]]["Properties"]
            assert validator["ValidateRequestParameters"] is True


def test_models_are_draft4_and_inside_api_gateways_subset(env_template):
    _, template = env_template
    models = resources_of_type(template, "AWS::ApiGateway::Model")
    assert models
    for model in models.values():
        schema = _schema(model)
        Draft4Validator.check_schema(schema)  # the draft-4 meta-schema: independent
        assert schema["$schema"] == DRAFT4
        check_model(model["Properties"]["Name"], schema)


def test_validation_errors_are_400s_in_the_error_shape_with_cors(env_template):
    _, template = env_template
    responses = {r["Properties"]["ResponseType"]: r["Properties"]
                 for r in resources_of_type(template, "AWS::ApiGateway::GatewayResponse").values()}
    default = responses["DEFAULT_4XX"]
    # BAD_REQUEST_PARAMETERS (default status 400) falls back to DEFAULT_4XX: no override.
    assert "BAD_REQUEST_PARAMETERS" not in responses and "StatusCode" not in default
    body_props = responses["BAD_REQUEST_BODY"]
    assert body_props["StatusCode"] == "400"
    assert body_props["ResponseParameters"] == default["ResponseParameters"]  # the same CORS
    for kind, props in (("BAD_REQUEST_BODY", body_props), ("BAD_REQUEST_PARAMETERS", default)):
        body = props["ResponseTemplates"]["application/json"]
        rendered = (body.replace("$context.error.messageString", '"Invalid request body"')
                    .replace("$context.error.responseType", kind)
                    .replace("$context.error.validationErrorString", '[a \\"quoted\\" detail]')
                    .replace("$context.error.message", "Invalid request body"))
        error = json.loads(rendered)["error"]
        assert error["code"] == kind and error["message"].startswith("Invalid request body")


def test_a_changed_model_makes_a_new_deployment(monkeypatch):
    cfg = parse_config({**PROJECT, "environment": "dev", "code_key": CODE_KEY})

    def deployment() -> str:
        resources = json.loads(build_template(cfg).to_json())["Resources"]
        return next(name for name, r in resources.items()
                    if r["Type"] == "AWS::ApiGateway::Deployment")

    before = deployment()
    changed = {**contract.NEW_ITEM, "required": ["id", "data"]}
    monkeypatch.setitem(contract.MODELS, "NewItem", changed)
    assert deployment() != before


GOOD = {"$schema": DRAFT4, "type": "object", "properties": {"a": {"type": "string"}},
        "required": ["a"]}


@pytest.mark.parametrize("change, problem", [
    ({"$schema": "http://json-schema.org/draft-07/schema#"}, "draft 4"),
    ({"required": []}, "non-empty"),
    ({"oneOf": [{"type": "object"}]}, "oneOf"),
    ({"anyOf": [{"type": "object"}]}, "anyOf"),
    ({"properties": {"a": {"type": "string", "format": "email"}}}, "format"),
    ({"properties": {"a": {"type": "number", "exclusiveMinimum": True}}}, "exclusiveMinimum"),
    ({"properties": {"a": {"type": "array", "minItems": 1}}}, "minItems"),
    ({"properties": {"a": {"$ref": "https://example.com/other.json"}}}, "#/definitions"),
    ({"properties": {"a": {"type": "string", "pattern": "(?P<x>a)"}}}, "ECMA 262"),
    ({"properties": {"a": {"type": "string", "pattern": "a\\Z"}}}, "ECMA 262"),
    ({"properties": {"a": {"const": "x"}}}, "not a draft-4 keyword"),
    ({"properties": {"a": {"type": "text"}}}, "types must be"),
])
def test_subset_check_refuses_what_api_gateway_would_not_honour(change, problem):
    with pytest.raises(ModelSchemaError, match=problem.replace("(", r"\(")):
        check_model("Good", {**GOOD, **change})


def test_subset_check_names_bad_model_names_and_accepts_the_contract():
    with pytest.raises(ModelSchemaError, match="alphanumeric"):
        check_model("Item-Body", GOOD)
    for name, schema in contract.MODELS.items():
        check_model(name, schema)
