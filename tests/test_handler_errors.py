"""One error-code spelling: API Gateway's UPPER_SNAKE response-type names.

Evidence for the names is botocore's API Gateway model (GatewayResponseType), not
our own constants: where the gateway has a name for the same failure, the handler
answers with exactly that name, so clients handle one vocabulary.
"""

from __future__ import annotations

import re

import botocore.session
import pytest
from botocore.stub import Stubber

from data_api.handler import handle
from data_api.storage import Storage
from tests.api_client import JSON, ApiClient, make_event

GATEWAY_TYPES = set(botocore.session.get_session().get_service_model("apigateway")
                    .shape_for("GatewayResponseType").enum)
UPPER_SNAKE = re.compile(r"^[A-Z]+(_[A-Z]+)*$")


def _code(reply) -> str:
    return reply.body["error"]["code"]


@pytest.mark.parametrize("request_args,status,gateway_name", [
    (("POST", "/data", "{not json"), 400, "BAD_REQUEST_BODY"),
    (("POST", "/data", '{"data": 1, "extra": 2}'), 400, "BAD_REQUEST_BODY"),
    (("GET", "/data", None, JSON, {"limit": ["0"]}), 400, "BAD_REQUEST_PARAMETERS"),
    (("POST", "/data", '{"data": "' + "x" * 410_000 + '"}'), 413, "REQUEST_TOO_LARGE"),
    (("POST", "/data", '{"data": 1}', {"Content-Type": "text/plain"}), 415,
     "UNSUPPORTED_MEDIA_TYPE"),
])
def test_codes_shared_with_the_gateway_use_its_response_type_names(api, request_args, status,
                                                                  gateway_name):
    reply = api.send(make_event(*request_args))
    assert reply.status == status
    assert _code(reply) == gateway_name and gateway_name in GATEWAY_TYPES


def test_path_id_and_if_match_problems_are_bad_request_parameters(api):
    api.call("POST", "/data", {"id": "k", "data": 0})
    replies = [api.call("GET", "/data/" + "x" * 300),
               api.call("PUT", "/data/k", {"data": 1}, headers={**JSON, "If-Match": "junk"})]
    assert [(r.status, _code(r)) for r in replies] == [(400, "BAD_REQUEST_PARAMETERS")] * 2


def test_throttling_code_is_the_gateway_throttled_name(dynamodb):
    with Stubber(dynamodb) as stub:
        stub.add_client_error("get_item", service_error_code="ThrottlingException")
        raw = handle(make_event("GET", "/data/k"), None, lambda _table: Storage(dynamodb, "items"))
    assert raw["statusCode"] == 503 and '"code":"THROTTLED"' in raw["body"]
    assert "THROTTLED" in GATEWAY_TYPES


def test_handler_only_codes_are_upper_snake(api, dynamodb):
    api.call("POST", "/data", {"id": "k", "data": 0})
    etag = api.call("GET", "/data/k").headers["ETag"]
    api.call("PUT", "/data/k", {"data": 1})
    replies = {
        404: api.call("GET", "/data/missing"),
        409: api.call("POST", "/data", {"id": "k", "data": 0}),
        412: api.call("PUT", "/data/k", {"data": 2}, headers={**JSON, "If-Match": etag}),
    }
    with Stubber(dynamodb) as stub:
        stub.add_client_error("get_item", service_error_code="InternalServerError",
                              http_status_code=500)
        replies[500] = ApiClient(Storage(dynamodb, "items")).call("GET", "/data/k")
    for status, reply in replies.items():
        assert reply.status == status and UPPER_SNAKE.match(_code(reply)), reply.body
