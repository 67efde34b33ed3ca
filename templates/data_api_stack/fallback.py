"""What the gateway answers when no route method serves a request.

Without these, API Gateway answers both an unknown path and a known path with an
unsupported method (PATCH /data, POST /data/x) with its MISSING_AUTHENTICATION_TOKEN
403, and our Lambda never sees the request. So, generated from the route model:

- every route resource gets an `ANY` MOCK method answering 405 METHOD_NOT_ALLOWED
  with `Allow`. API Gateway's `ANY` "can exist alongside other Operation objects and
  will catch any HTTP method that wasn't explicitly declared" (developer guide,
  x-amazon-apigateway-any-method), so the explicit methods keep their integrations;
- the root `/` and a greedy `/{proxy+}` resource get an `ANY` MOCK method answering
  404 NOT_FOUND: a greedy proxy resource catches every path that no more specific
  resource matches (developer guide, "Set up a proxy integration with a proxy resource").

All are MOCK integrations (no Lambda invocation, no cost) with AuthorizationType NONE:
they only ever say "not here", whatever the API's authorization mode. Every answer
carries the CORS headers and the API's JSON error shape, like the handler's errors.

MOCK's status comes from the request mapping template, selected by the request's
Content-Type (application/json when absent). A request with a body of another media
type is passed through unmapped (the default WHEN_NO_MATCH) and API Gateway answers
it with a 500 rather than our 405/404 (aws-cdk#16323 shows that MOCK behaviour).
"""

from __future__ import annotations

import json

from troposphere import GetAtt, Ref, apigateway

from data_api import cors, errors, routes
from data_api_stack import ids

ANY = "ANY"


def allow_header(path: str) -> str:
    """The `Allow` value for a route: its methods, as RFC 9110 lists them."""
    return ", ".join(routes.methods(path))


def _error_body(code: str, message: str) -> str:
    return json.dumps({"error": {"code": code, "message": message}})


def _mock_any(logical_id: str, api: apigateway.RestApi, resource_id: object, status: int,
              headers: dict[str, str], body: str) -> apigateway.Method:
    # MOCK answers are application/json by default; no Content-Type mapping needed.
    return apigateway.Method(
        logical_id,
        RestApiId=Ref(api),
        ResourceId=resource_id,
        HttpMethod=ANY,
        AuthorizationType="NONE",
        Integration=apigateway.Integration(
            Type="MOCK",
            RequestTemplates={"application/json": json.dumps({"statusCode": status})},
            IntegrationResponses=[apigateway.IntegrationResponse(
                StatusCode=str(status),
                # Header mappings take static values as single-quoted literals.
                ResponseParameters={f"method.response.header.{name}": f"'{value}'"
                                    for name, value in headers.items()},
                ResponseTemplates={"application/json": body},
            )],
        ),
        MethodResponses=[apigateway.MethodResponse(
            StatusCode=str(status),
            ResponseParameters={f"method.response.header.{name}": True
                                for name in headers},
        )],
    )


def method_not_allowed(logical_id: str, api: apigateway.RestApi,
                       resource: apigateway.Resource, path: str,
                       origin: str) -> apigateway.Method:
    """`ANY` on a route resource: 405 with `Allow` for every method the route lacks."""
    allowed = allow_header(path)
    return _mock_any(logical_id, api, Ref(resource), 405,
                     {**cors.response_headers(origin), "Allow": allowed},
                     _error_body(errors.METHOD_NOT_ALLOWED,
                                 f"this method is not allowed on {path}; allowed: {allowed}"))


def not_found(api: apigateway.RestApi, origin: str, collection_paths: list[str]) -> list:
    """The greedy `/{proxy+}` resource and `ANY` 404s on it and on the root."""
    catch_all = apigateway.Resource(ids.CATCH_ALL_RESOURCE, RestApiId=Ref(api),
                                    ParentId=GetAtt(api, "RootResourceId"),
                                    PathPart="{proxy+}")
    headers = cors.response_headers(origin)
    body = _error_body(errors.NOT_FOUND, routes.unknown_route_message(collection_paths))
    return [
        catch_all,
        _mock_any(ids.CATCH_ALL_METHOD, api, Ref(catch_all), 404, headers, body),
        _mock_any(ids.ROOT_METHOD, api, GetAtt(api, "RootResourceId"), 404, headers, body),
    ]
