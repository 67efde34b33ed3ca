"""Rights per collection in the handler, over moto's DynamoDB: a caller's own rights on
each collection (Cognito groups for people, scopes for machines), the API-wide roles as
each collection's `access` leaves them, and a 403 that says no more than the gateway's.

The function's COLLECTIONS and AUTH_* variables, the group names and the scope names
are taken from the rendered template (its groups, its resource server, its function
environment), not from the code that names them.
"""

from __future__ import annotations

import json
import re
from typing import Any, Optional

import pytest

from data_api import collection_env
from data_api.handler import handle
from data_api.storage import Storage
from data_api_stack import ConfigError, build_template, parse_config
from tests import auth_context as ctx
from tests.api_client import make_event
from tests.helpers import PROJECT

CONFIG = {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip", "collections": {
    "orders": {"billing": "on_demand"},
    "customers": {"billing": "on_demand"},
    # Payroll: the API-wide readers may not see it, the API-wide writers only read it.
    "payroll": {"billing": "on_demand", "access": {"readers": "none", "writers": "read"}},
    # Audit: the API-wide readers read it, the API-wide writers may not even read it.
    "audit": {"billing": "on_demand", "access": {"writers": "none"}}},
    # A partner's own app client: its secret can ask for no more than orders' read scope.
    "machine_clients": {"partner": ["orders:read"]}}
COLLECTIONS = tuple(CONFIG["collections"])
PARTNER_CLIENT = "partnerclient0000000000001"


@pytest.fixture(scope="module")
def rendered() -> dict[str, Any]:
    return build_template(parse_config(CONFIG)).to_dict()["Resources"]


@pytest.fixture(scope="module")
def names(rendered) -> dict[str, str]:
    """(collection, "read"/"write") -> its group, and -> its scope, as the template has
    them: the group's description names its collection and right."""
    found = {}
    for resource in rendered.values():
        props = resource.get("Properties", {})
        if resource["Type"] == "AWS::Cognito::UserPoolGroup" and "collection" in props.get(
                "Description", ""):
            collection = re.search(r"the (\w+) collection", props["Description"]).group(1)
            level = "write" if "write" in props["Description"] else "read"
            found[("group", collection, level)] = props["GroupName"]
    server = rendered["UserPoolResourceServer"]["Properties"]
    for scope in server["Scopes"]:
        collection, _, level = scope["ScopeName"].partition(".")
        if level:
            found[("scope", collection, level)] = f"{server['Identifier']}/{scope['ScopeName']}"
    return found


@pytest.fixture()
def send(dynamodb, rendered, monkeypatch: pytest.MonkeyPatch):
    """send(caller, method, path, body=None) -> (status, body) through handle()."""
    tables = {}
    for logical_id, resource in rendered.items():
        if resource["Type"] == "AWS::DynamoDB::Table":
            name = resource["Properties"]["TableName"]
            tables[logical_id] = name
            dynamodb.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                                  KeySchema=resource["Properties"]["KeySchema"],
                                  AttributeDefinitions=resource["Properties"][
                                      "AttributeDefinitions"])
    variables = rendered["ApiFunction"]["Properties"]["Environment"]["Variables"]
    for name, value in variables.items():
        if isinstance(value, str) and name.startswith("AUTH_"):
            monkeypatch.setenv(name, value)
    ids = {"BrowserClient": ctx.BROWSER_CLIENT, "MachineClient": ctx.MACHINE_CLIENT,
           "PartnerMachineClient": PARTNER_CLIENT}  # what CloudFormation fills in
    monkeypatch.setenv("AUTH_CLIENT_IDS", ",".join(
        ids[ref["Ref"]] for ref in variables["AUTH_CLIENT_IDS"]["Fn::Join"][1]))
    monkeypatch.setenv(collection_env.ENV, re.sub(
        r"\$\{(\w+)\}", lambda m: tables[m.group(1)],
        variables[collection_env.ENV]["Fn::Sub"]))
    monkeypatch.setenv("CORS_ORIGIN", "*")

    def call(caller: dict, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        collection, _, item_id = path.strip("/").partition("/")
        event = make_event(method, path, None if body is None else json.dumps(body),
                           caller=caller)
        event.update(resource=f"/{collection}" + ("/{id}" if item_id else ""),
                     pathParameters={"id": item_id} if item_id else None)
        raw = handle(event, None, lambda settings: Storage(dynamodb, settings))
        return raw["statusCode"], json.loads(raw["body"]) if raw["body"] else None

    return call


def _user(names, *rights: tuple[str, str], groups: tuple[str, ...] = ()) -> dict:
    held = [names[("group", c, level)] for c, level in rights] + list(groups)
    return ctx.cognito_context(ctx.user_payload("someone", held))


def _machine(names, *rights: tuple[str, str], scopes: tuple[str, ...] = ()) -> dict:
    held = [names[("scope", c, level)] for c, level in rights] + list(scopes)
    return ctx.cognito_context(ctx.machine_payload(held))


def _denied(reply: tuple[int, Any]) -> str:
    status, body = reply
    assert status == 403 and set(body) == {"error"}, reply
    assert body["error"]["code"] == "ACCESS_DENIED", reply
    return body["error"]["message"]


@pytest.fixture()
def stocked(send):
    """One item in each collection, written by an API-wide writer with payroll's own
    write right."""
    writer = ctx.cognito_context(ctx.machine_payload([ctx.SCOPES["write"]]))
    for collection in ("orders", "customers"):
        assert send(writer, "POST", f"/{collection}", {"id": "k", "data": 1})[0] == 201
    return send


@pytest.mark.parametrize("kind", ["user", "machine"])
def test_the_order_service_writes_orders_and_only_reads_customers(stocked, names, kind):
    caller = (_user if kind == "user" else _machine)(names, ("orders", "write"),
                                                     ("customers", "read"))
    send = stocked
    assert send(caller, "POST", "/orders", {"id": "o1", "data": {"total": 3}})[0] == 201
    assert send(caller, "PUT", "/orders/o1", {"data": {"total": 4}})[0] == 200
    assert send(caller, "GET", "/orders/o1")[0] == 200
    assert send(caller, "DELETE", "/orders/o1")[0] == 204
    assert send(caller, "GET", "/customers/k")[0] == 200
    assert send(caller, "GET", "/customers")[0] == 200
    for method, path, body in (("POST", "/customers", {"id": "c9", "data": 1}),
                               ("PUT", "/customers/k", {"data": 2}),
                               ("DELETE", "/customers/k", None)):
        _denied(send(caller, method, path, body))
    assert send(caller, "GET", "/customers/k")[1]["data"] == 1, "nothing was written"
    # No right at all on payroll: even its reads are refused.
    _denied(send(caller, "GET", "/payroll"))
    _denied(send(caller, "GET", "/payroll/k"))


@pytest.mark.parametrize("kind", ["user", "machine"])
def test_a_partner_reads_orders_and_nothing_else(stocked, names, kind):
    partner = (_user if kind == "user" else _machine)(names, ("orders", "read"))
    send = stocked
    assert send(partner, "GET", "/orders/k")[0] == 200
    _denied(send(partner, "POST", "/orders", {"id": "p", "data": 1}))
    for path in ("/customers", "/customers/k", "/payroll"):
        _denied(send(partner, "GET", path))


def test_a_403_says_nothing_about_the_collection_or_its_items(stocked, names):
    """Refused before the body is read or the table is asked: an unknown id, a present
    one and a body the function would refuse all get the same answer."""
    partner = _machine(names, ("orders", "read"))
    send = stocked
    answers = {json.dumps(send(partner, "GET", path)) for path in
               ("/customers/k", "/customers/no-such-item")}
    answers |= {json.dumps(send(partner, method, path, body)) for method, path, body in (
        ("PUT", "/orders/no-such-item", {"data": 1}), ("PUT", "/orders/k", {"data": 1}),
        ("POST", "/orders", {"bad": "body"}), ("POST", "/orders", "not an object"))}
    assert len(answers) == 2, answers  # one "no right" answer, one "read only" answer
    for answer in map(json.loads, answers):
        message = answer[1]["error"]["message"]
        assert "no-such-item" not in message and "body" not in message


def test_api_wide_roles_keep_todays_rights_except_where_access_says(stocked, names):
    send = stocked
    reader, writer = ctx.reader_user(), ctx.writer_user()
    machine_reader, machine_writer = ctx.machine("read"), ctx.machine("write")
    for caller in (reader, machine_reader):
        assert send(caller, "GET", "/orders/k")[0] == 200
        assert send(caller, "GET", "/customers")[0] == 200
        _denied(send(caller, "POST", "/orders", {"data": 1}))
        _denied(send(caller, "GET", "/payroll"))  # readers: none
    for caller in (writer, machine_writer):
        assert send(caller, "POST", "/customers", {"data": 1})[0] == 201
        assert send(caller, "GET", "/payroll")[0] == 200  # writers: read
        _denied(send(caller, "POST", "/payroll", {"data": 1}))


def test_holding_both_api_wide_roles_gives_the_most_of_either(stocked, names):
    """A writer who is also a reader reads `audit`, which `access` keeps from writers."""
    send = stocked
    assert send(ctx.reader_user(), "GET", "/audit")[0] == 200
    _denied(send(ctx.writer_user(), "GET", "/audit"))
    both = _user(names, groups=(ctx.GROUPS["reader"], ctx.GROUPS["writer"]))
    machine = ctx.machine("read", "write")
    for caller in (both, machine):
        assert send(caller, "GET", "/audit")[0] == 200
        _denied(send(caller, "POST", "/audit", {"data": 1}))
        assert send(caller, "POST", "/orders", {"data": 1})[0] == 201


def test_access_is_refused_where_nobody_is_checked():
    config = {k: v for k, v in CONFIG.items() if k != "machine_clients"}
    with pytest.raises(ConfigError, match=r"collections\.payroll\.access: expected absent "
                                          r"unless auth is cognito or iam"):
        parse_config({**config, "auth": "none", "allow_anonymous": True})


def test_a_collections_own_writers_write_where_the_api_wide_ones_may_not(stocked, names):
    send = stocked
    for caller in (_user(names, ("payroll", "write")), _machine(names, ("payroll", "write"))):
        status, item = send(caller, "POST", "/payroll", {"data": {"amount": 1}})
        assert status == 201
        assert send(caller, "GET", f"/payroll/{item['id']}")[0] == 200
    # Rights add up: an API-wide reader who is also payroll's writer writes payroll.
    both = _user(names, ("payroll", "write"), groups=(ctx.GROUPS["reader"],))
    assert send(both, "POST", "/payroll", {"data": 2})[0] == 201
    assert send(both, "GET", "/orders")[0] == 200
    _denied(send(both, "POST", "/orders", {"data": 2}))


def test_another_environments_or_stacks_rights_give_nothing(stocked, names):
    send = stocked
    strangers = [
        ctx.cognito_context(ctx.user_payload("prod-writer", [
            names[("group", "orders", "write")].replace("-dev-", "-prod-")])),
        ctx.cognito_context(ctx.machine_payload([
            names[("scope", "orders", "write")].replace("-dev/", "-prod/")])),
        ctx.cognito_context(ctx.machine_payload([names[("scope", "orders", "write")]],
                                                client_id=ctx.FOREIGN_CLIENT)),
    ]
    for caller in strangers:
        _denied(send(caller, "GET", "/orders/k"))


def test_a_partners_own_client_may_ask_only_for_its_rights(stocked, rendered, names):
    client = rendered["PartnerMachineClient"]["Properties"]
    assert client["AllowedOAuthFlows"] == ["client_credentials"] and client["GenerateSecret"]
    assert client["AllowedOAuthScopes"] == [names[("scope", "orders", "read")]]
    send = stocked
    partner = ctx.cognito_context(ctx.machine_payload(client["AllowedOAuthScopes"],
                                                      client_id=PARTNER_CLIENT))
    assert send(partner, "GET", "/orders/k")[0] == 200
    _denied(send(partner, "PUT", "/orders/k", {"data": 2}))
    _denied(send(partner, "GET", "/customers/k"))


@pytest.mark.parametrize("clients,expected", [
    ({"partner": ["invoices:read"]}, "machine_clients.partner: 'invoices:read' names no "
                                     "collection of this environment (orders, customers, "
                                     "payroll, audit)"),
    ({"partner": ["orders:admin"]}, "machine_clients.partner: expected rights"),
    ({"partner": ["orders:read", "orders:write"]}, "each collection once"),
    ({"partner": "orders:read"}, "machine_clients.partner: expected a list of rights"),
    ({"Partner": ["orders:read"]}, "machine_clients: expected service names"),
    ([], "machine_clients: expected a mapping"),
    ({"a_1_b": ["orders:read"], "a1_b": ["orders:read"]}, "give the same client"),
    ({"machine": ["orders:read"]}, "other than browser, machine"),
])
def test_machine_clients_refuse_bad_values_naming_them(clients, expected):
    with pytest.raises(ConfigError, match=re.escape(expected)):
        parse_config({**CONFIG, "machine_clients": clients})
    with pytest.raises(ConfigError, match=r"machine_clients: expected absent unless auth is "
                                          r"cognito \(auth is iam\)"):
        parse_config({**CONFIG, "auth": "iam"})


def test_iam_api_wide_policies_keep_their_arn_when_access_leaves_them_nothing():
    """Every collection keeps the API-wide readers out: their policy (whose ARN roles
    attach) stays, allowing only the preflights, which need no right."""
    config = {k: v for k, v in CONFIG.items() if k != "machine_clients"}
    config["collections"] = {name: {**entry, "access": {"readers": "none"}}
                             for name, entry in config["collections"].items()}
    resources = build_template(parse_config({**config, "auth": "iam"})).to_dict()["Resources"]
    (statement,) = resources["ReaderPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    (arn,) = statement["Resource"]
    assert arn["Fn::Sub"][0].endswith("${Api}/dev/OPTIONS/*")
    methods = [r["Properties"] for r in resources.values()
               if r["Type"] == "AWS::ApiGateway::Method"
               and r["Properties"]["HttpMethod"] == "OPTIONS"]
    assert methods and all(m["AuthorizationType"] == "NONE" for m in methods)
