"""API Gateway REST API: routes with Lambda proxy integration, CORS, gateway responses."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from troposphere import AWSObject, GetAtt, Ref, Sub, apigateway, awslambda

from data_api import cors, errors, routes
from data_api_stack import auth_responses, fallback, ids, request_models
from data_api_stack.auth import AuthParts
from data_api_stack.collection import DEFAULT_COLLECTIONS, Collection, collection_paths
from data_api_stack.config import StackConfig


@dataclass
class ApiParts:
    rest_api: apigateway.RestApi
    # Everything the Deployment snapshots (its hash and its DependsOn): resources,
    # methods, gateway responses, and models, validators, authorizers when added.
    definition: list[AWSObject] = field(default_factory=list)
    methods: list[apigateway.Method] = field(default_factory=list)  # on the route resources
    permissions: list[awslambda.Permission] = field(default_factory=list)


def resource_id(collection: Collection, item: bool) -> str:
    """The API Gateway resource of a collection's route: DataResource, OrdersItemResource."""
    if collection.is_default:
        return ids.ITEM_RESOURCE if item else ids.DATA_RESOURCE
    return f"{collection.camel}{'Item' if item else ''}Resource"


def method_id(path: str, verb: str, collection: Collection = DEFAULT_COLLECTIONS[0]) -> str:
    """`/data/{id}` + GET -> `DataItemGetMethod`: stable across environments."""
    return resource_id(collection, routes.is_item(path)).replace("Resource", "") \
        + verb.capitalize() + "Method"


def _quoted(headers: dict[str, str], prefix: str) -> dict[str, str]:
    # API Gateway header mappings take static values as single-quoted literals.
    return {f"{prefix}.header.{name}": f"'{value}'" for name, value in headers.items()}


def method_arn(stage_name: str, path: str, verb: str) -> Sub:
    """execute-api ARN of one method on one stage (`{id}` -> `*`)."""
    return Sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
               "${Api}/" + f"{stage_name}/{verb}{path.replace('{id}', '*')}",
               Api=Ref(ids.REST_API))


def _proxy_method(api: apigateway.RestApi, resource: apigateway.Resource, path: str,
                  verb: str, target: object, auth: AuthParts,
                  collection: Collection) -> apigateway.Method:
    uri = Sub("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31"
              "/functions/${Fn}/invocations", Fn=target)
    return apigateway.Method(
        method_id(path, verb, collection),
        RestApiId=Ref(api),
        ResourceId=Ref(resource),
        HttpMethod=verb,
        **auth.method_properties(collection),
        # Proxy integration: no request/response templates (the seed's
        # request_templates on a proxy method were dead configuration).
        Integration=apigateway.Integration(Type="AWS_PROXY", IntegrationHttpMethod="POST",
                                           Uri=uri),
    )


def _preflight_method(api: apigateway.RestApi, resource: apigateway.Resource, path: str,
                      origin: str, collection: Collection) -> apigateway.Method:
    headers = cors.preflight_headers(origin, routes.methods(path))
    return apigateway.Method(
        method_id(path, "OPTIONS", collection),
        RestApiId=Ref(api),
        ResourceId=Ref(resource),
        HttpMethod="OPTIONS",
        AuthorizationType="NONE",
        Integration=apigateway.Integration(
            Type="MOCK",
            RequestTemplates={"application/json": '{"statusCode": 204}'},
            IntegrationResponses=[apigateway.IntegrationResponse(
                StatusCode="204",
                ResponseParameters=_quoted(headers, "method.response"),
                ResponseTemplates={"application/json": ""},
            )],
        ),
        MethodResponses=[apigateway.MethodResponse(
            StatusCode="204",
            ResponseParameters={f"method.response.header.{name}": True for name in headers},
        )],
    )


# API Gateway's own errors (429 throttle, 504 timeout...) get the same CORS headers
# and the same JSON error shape as the handler's errors. Unknown paths and methods
# are answered by the fallback MOCK methods, so MISSING_AUTHENTICATION_TOKEN only
# means what it says (an unsigned request to an AWS_IAM method): a 401, not a 403.
_GATEWAY_ERROR_BODY = ('{"error": {"code": "$context.error.responseType", '
                       '"message": $context.error.messageString}}')
GATEWAY_RESPONSES = {
    "DEFAULT_4XX": ("GatewayResponseDefault4XX", None, _GATEWAY_ERROR_BODY),
    "DEFAULT_5XX": ("GatewayResponseDefault5XX", None, _GATEWAY_ERROR_BODY),
    "MISSING_AUTHENTICATION_TOKEN": ("GatewayResponseMissingAuthentication", "401", json.dumps(
        {"error": {"code": errors.UNAUTHORIZED, "message": "missing authentication: sign the "
                   "request or send a token"}})),
    **auth_responses.gateway_responses(_GATEWAY_ERROR_BODY),
    # Request validation (request_models): the function is never invoked. The detail is
    # substituted into a JSON string as AWS's examples do (it comes JSON-escaped).
    # BAD_REQUEST_PARAMETERS (400) needs no entry: DEFAULT_4XX renders it in this shape.
    "BAD_REQUEST_BODY": ("GatewayResponseBadRequestBody", "400", _GATEWAY_ERROR_BODY.replace(
        "$context.error.messageString",
        '"$context.error.message: $context.error.validationErrorString"')),
}


def _gateway_response(api: apigateway.RestApi, response_type: str,
                      origin: str) -> apigateway.GatewayResponse:
    logical_id, status, body = GATEWAY_RESPONSES[response_type]
    response = apigateway.GatewayResponse(
        logical_id,
        RestApiId=Ref(api),
        ResponseType=response_type,
        ResponseParameters=_quoted({**cors.response_headers(origin),
                                    **auth_responses.HEADERS.get(response_type, {})},
                                   "gatewayresponse"),
        ResponseTemplates={"application/json": body},
    )
    if status:
        response.StatusCode = status
    return response


def invoke_permission(stage_name: str, target: object) -> awslambda.Permission:
    """One grant for every method of this API's stage, not one per method: Lambda caps a
    function's resource policy at 20 KB (Lambda quotas, not adjustable), which per-method
    grants (five per collection, ~450 bytes each) fill at eight collections (aws-cdk
    #5774, #9327; CDK's `scopePermissionToMethod: false` makes the same trade). Only
    this REST API, on this stage, may invoke; which caller may call which method stays
    the gateway's and the handler's decision (auth.py)."""
    return awslambda.Permission(
        ids.API_INVOKE_PERMISSION,
        Action="lambda:InvokeFunction",
        FunctionName=target,
        Principal="apigateway.amazonaws.com",
        SourceArn=Sub("arn:${AWS::Partition}:execute-api:${AWS::Region}:${AWS::AccountId}:"
                      "${Api}/" + f"{stage_name}/*/*", Api=Ref(ids.REST_API)),
    )


def _resources(api: apigateway.RestApi,
               collection: Collection) -> tuple[apigateway.Resource, apigateway.Resource]:
    """A collection's two API Gateway resources: `<path>` and `<path>/{id}`."""
    listing = apigateway.Resource(resource_id(collection, False), RestApiId=Ref(api),
                                  ParentId=GetAtt(api, "RootResourceId"),
                                  PathPart=collection.path.lstrip("/"))
    item = apigateway.Resource(resource_id(collection, True), RestApiId=Ref(api),
                               ParentId=Ref(listing), PathPart="{id}")
    return listing, item


def _collection_routes(cfg: StackConfig, parts: ApiParts,
                       validation: request_models.RequestValidation, collection: Collection,
                       resources: tuple[apigateway.Resource, apigateway.Resource],
                       target: object, auth: AuthParts) -> None:
    """A collection's methods (proxy, preflight, 405), into `parts`."""
    api = parts.rest_api
    listing, item = resources
    for path, resource in ((collection.path, listing), (routes.item_path(collection.path), item)):
        for verb in routes.methods(path):
            if verb == "OPTIONS":
                method = _preflight_method(api, resource, path, cfg.cors_origin, collection)
            else:
                method = _proxy_method(api, resource, path, verb, target, auth, collection)
                request_models.apply(method, path, verb, validation, collection)
            parts.methods.append(method)
        parts.methods.append(fallback.method_not_allowed(
            method_id(path, fallback.ANY, collection), api, resource, path, cfg.cors_origin))


def build_api(cfg: StackConfig, target: object, auth: AuthParts) -> ApiParts:
    """The REST API and everything a Deployment snapshots, plus invoke permissions.

    `target` is the ARN API Gateway invokes: the function's, or its `live` alias's;
    `auth` says how the data methods are authorized (auth.build_auth).
    """
    api = apigateway.RestApi(
        ids.REST_API,
        Name=f"{cfg.resource_prefix}-api",
        Description=f"Serverless data API ({cfg.environment})",
        EndpointConfiguration=apigateway.EndpointConfiguration(Types=["REGIONAL"]),
        **({"Policy": auth.rest_api_policy} if auth.rest_api_policy else {}),
    )
    parts = ApiParts(rest_api=api, definition=list(auth.definition),
                     permissions=[invoke_permission(cfg.environment, target)])
    resources = {c.name: _resources(api, c) for c in cfg.collections}
    validation = request_models.build_request_validation(api, cfg.collections)
    parts.definition += [*(r for pair in resources.values() for r in pair),
                         *validation.resources]
    for collection in cfg.collections:
        _collection_routes(cfg, parts, validation, collection, resources[collection.name],
                           target, auth)
    parts.definition += parts.methods
    parts.definition += fallback.not_found(api, cfg.cors_origin,
                                           collection_paths(cfg.collections))
    parts.definition += [_gateway_response(api, kind, cfg.cors_origin)
                         for kind in GATEWAY_RESPONSES if kind not in auth_responses.RESPONSES
                         or kind in auth.gateway_responses]
    return parts
