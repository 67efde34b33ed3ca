"""API Gateway request validation from the contract: models, validators, method wiring.

A request that breaks the contract's body schema, or lacks a required parameter, is
answered 400 by API Gateway (BAD_REQUEST_BODY / BAD_REQUEST_PARAMETERS gateway responses
in api.py, in the API's error shape) and never invokes the function. Every object here
goes into ApiParts.definition, so the Deployment's hash (and DependsOn) covers it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from troposphere import AWSObject, Ref, apigateway

from data_api import contract
from data_api_stack import ids
from data_api_stack.apigw_schema import check_model
from data_api_stack.collection import Collection, collection_models


@dataclass(frozen=True)
class RequestValidation:
    models: dict[str, apigateway.Model]
    body: apigateway.RequestValidator  # body and parameters: methods with a body
    parameters: apigateway.RequestValidator  # parameters only: the others

    @property
    def resources(self) -> list[AWSObject]:
        return [*self.models.values(), self.body, self.parameters]


_NAMED = ("properties", "patternProperties", "definitions")  # maps of name -> schema
_VALUES = ("enum", "default")  # JSON values, not schemas: kept as written


def bare(schema: Any) -> Any:
    """The schema without titles and descriptions: API Gateway only validates with it,
    and the template must stay under CloudFormation's 51,200-byte body limit (the
    OpenAPI document keeps them)."""
    if isinstance(schema, list):
        return [bare(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    return {key: ({name: bare(sub) for name, sub in value.items()} if key in _NAMED
                  else value if key in _VALUES else bare(value))
            for key, value in schema.items() if key not in ("title", "description")}


def build_request_validation(api: apigateway.RestApi,
                             collections: tuple[Collection, ...]) -> RequestValidation:
    """One Model per body schema of these collections (checked against API Gateway's
    subset): the contract's shared ones, and a collection's own where it has a schema."""
    models = {}
    for name, schema in collection_models(collections).items():
        stripped = bare(schema)
        check_model(name, stripped)
        models[name] = apigateway.Model(
            name + ids.MODEL_SUFFIX, RestApiId=Ref(api), Name=name,
            ContentType=contract.JSON_MEDIA_TYPE, Schema=stripped)
    return RequestValidation(
        models=models,
        body=apigateway.RequestValidator(
            ids.BODY_VALIDATOR, RestApiId=Ref(api), Name="body",
            ValidateRequestBody=True, ValidateRequestParameters=True),
        parameters=apigateway.RequestValidator(
            ids.PARAMETERS_VALIDATOR, RestApiId=Ref(api), Name="params",
            ValidateRequestBody=False, ValidateRequestParameters=True),
    )


def request_parameters(path: str, verb: str) -> dict[str, bool]:
    """`method.request.<where>.<name>: true` for the operation's required parameters (the
    only ones the validator checks; the optional ones are in the OpenAPI document)."""
    where = {"path": "path", "query": "querystring", "header": "header"}
    return {f"method.request.{where[p.location]}.{p.name}": True
            for p in contract.operation(path, verb).parameters if p.required}


def apply(method: apigateway.Method, path: str, verb: str,
          validation: RequestValidation, collection: Collection) -> None:
    """Give a proxy method its parameters, its collection's body model and its validator."""
    operation = contract.operation(path, verb)
    method.RequestParameters = request_parameters(path, verb)
    if operation.body:
        model = validation.models[collection.shape.model_name(operation.body)]
        method.RequestModels = {contract.JSON_MEDIA_TYPE: Ref(model)}
        method.RequestValidatorId = Ref(validation.body)
    elif any(p.required for p in operation.parameters):
        method.RequestValidatorId = Ref(validation.parameters)
