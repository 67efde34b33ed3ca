"""The OpenAPI 3.1 document of one environment, generated from data_api.contract.

OpenAPI 3.1 because its schemas are JSON Schema: the contract's draft-4 schemas (the very
ones API Gateway validates with) carry over unchanged but for `$ref` paths, type lists and
patternProperties included, which OpenAPI 3.0 lacks. Pure: config and servers in, dict out.
"""

from __future__ import annotations

from dataclasses import replace
from importlib.metadata import version
from typing import Any, Optional

from data_api import contract, validation
from data_api_stack import openapi_security
from data_api_stack.collection import collection_models
from data_api_stack.config import StackConfig

OPENAPI_VERSION = "3.1.0"
PACKAGE = "serverless-data-api"


def templated_server(stage: str, region: str) -> dict[str, Any]:
    """The stage URL before the API exists: its id is a variable."""
    return {"url": "https://{restApiId}.execute-api.{region}.amazonaws.com/" + stage,
            "description": f"API Gateway stage {stage!r} (the id is in the stack's ApiUrl)",
            "variables": {"restApiId": {"default": "restApiId",
                                        "description": "the REST API's id"},
                          "region": {"default": region}}}


def _schema(value: Any) -> Any:
    """Draft-4 contract schema -> OpenAPI 3.1 schema: refs into components, no $schema."""
    if isinstance(value, dict):
        return {("$ref" if key == "$ref" else key): (
                    "#/components/schemas/" + item.removeprefix("#/definitions/")
                    if key == "$ref" else _schema(item))
                for key, item in value.items() if key not in ("$schema", "definitions")}
    if isinstance(value, list):
        return [_schema(item) for item in value]
    return value


def _ref(kind: str, name: str) -> dict[str, str]:
    return {"$ref": f"#/components/{kind}/{name}"}


def _responses(operation: contract.Operation) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for reply in operation.replies:
        entry = responses.setdefault(str(reply.status), {"description": ""})
        entry["description"] = "; ".join(filter(None, [entry["description"], reply.description]))
        if reply.headers:
            entry.setdefault("headers", {}).update(
                {name: _ref("headers", name) for name in reply.headers})
        if reply.schema:
            entry["content"] = {contract.JSON_MEDIA_TYPE: {"schema": _ref("schemas", reply.schema)}}
    return responses


# Follow-up calls a client (and Schemathesis's stateful phase) can make from an answer,
# by operation id stem (contract.operation_id), within one collection.
_ITEM_LINKS = {
    "get|Item": {"id": "$response.body#/id"},
    "replace|Item": {"id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
    "delete|Item": {"id": "$response.body#/id", "header.If-Match": "$response.header.ETag"},
}
_LINKS = {
    ("create|Item", "201"): _ITEM_LINKS,
    ("replace|Item", "200"): _ITEM_LINKS,
    ("get|Item", "200"): _ITEM_LINKS,
    ("list|Items", "200"): {"list|Items": {"next": "$response.body#/next"}},
}


def _operation(cfg: StackConfig, collection: str, operation: contract.Operation,
               token_endpoint: Optional[str]) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "operationId": operation.operation_id, "summary": operation.summary,
        "parameters": [{"name": p.name, "in": p.location, "required": p.required,
                        "description": p.description, "schema": p.schema}
                       for p in operation.parameters],
        "responses": _responses(operation),
    }
    if operation.body:
        entry["requestBody"] = {"required": True, "content": {
            contract.JSON_MEDIA_TYPE: {"schema": _ref("schemas", operation.body)}}}
    for (stem, status), links in _LINKS.items():
        if contract.operation_id(stem, collection) == operation.operation_id:
            targets = {contract.operation_id(target, collection): parameters
                       for target, parameters in links.items()}
            entry["responses"][status]["links"] = {
                target: {"operationId": target, "parameters": parameters}
                for target, parameters in targets.items()}
    security = openapi_security.requirement(cfg, operation.method, token_endpoint)
    if security is not None:
        entry["security"] = security
        entry["responses"].update(_responses(replace(operation, replies=contract.SECURED)))
    return entry


DESCRIPTION = f"""\
CRUD on JSON items in DynamoDB. Bodies are JSON (`Content-Type: application/json`), at most
{validation.MAX_BODY_BYTES} bytes: `{{"id"?: string, "data": any JSON}}`. Every error is
`{{"error": {{"code", "message", "requestId"?}}}}` with an UPPER_SNAKE code, from the
function and from API Gateway alike (request validation, throttling, unknown paths), and
every answer carries CORS headers. A method a path does not allow is answered 405 with
`Allow`. Each item has a `version`, sent as `ETag: "<version>"`; send it back as `If-Match`
on PUT or DELETE to act only on that version (412 otherwise). Pages hold `limit` items
(1-{validation.MAX_LIMIT}, default {validation.DEFAULT_LIMIT}) and a `next` token while
more remain. See the README's API section.""".replace("\n", " ")


def build_openapi(cfg: StackConfig, servers: list[dict[str, Any]],
                  token_endpoint: Optional[str] = None) -> dict[str, Any]:
    """The document for one environment; `servers` from openapi_cli (deployed or templated),
    `token_endpoint` (the deployed pool's OAuth 2.0 one) when known."""
    paths: dict[str, Any] = {}
    for collection in cfg.collections:
        for operation in contract.operations((collection.shape,)):
            paths.setdefault(operation.path, {})[operation.method.lower()] = _operation(
                cfg, collection.name, operation, token_endpoint)
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": f"Serverless data API ({cfg.environment})",
                 "version": version(PACKAGE), "description": DESCRIPTION},
        "servers": servers,
        "paths": paths,
        "components": {
            "schemas": {name: _schema(schema) for name, schema in {
                **contract.SCHEMAS, **collection_models(cfg.collections)}.items()},
            "headers": {name: dict(header) for name, header in contract.HEADERS.items()},
        },
    }
    schemes = openapi_security.schemes(cfg, token_endpoint)
    if schemes:
        document["components"]["securitySchemes"] = schemes
    return document
