"""Schemathesis, from the generated OpenAPI document, against the local API: every check.

Over the whole document of dev with three collections (tests.helpers.COLLECTIONS_VARIANT:
data, an on-demand orders with a schema, an index and an expiry, customers with an
index), each on its own table with the template's keys and indexes, the function's
COLLECTIONS the template's own.
The local API (the rendered template's gateway behaviour: its Cognito authorizer,
request models and validators, with the handler in-process) runs over moto's DynamoDB;
Schemathesis runs from .venv-contract with all its checks (ignored_auth included: it
drops the token and expects 401), both positive and negative data, and every phase
(examples, coverage, fuzzing, stateful), sending a writer's access token signed by the
test pool (tests.auth_context) whose JWKS the authorizer reads. Bounded for `make test` (CONTRACT_EXAMPLES per operation,
fixed seed); `make fuzz` runs it longer with a fresh seed.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
import urllib.request
from pathlib import Path
from typing import Iterator

import pytest

from data_api import collection_env
from data_api_stack import build_template, ids
from data_api_stack.openapi import build_openapi
from localdev.apiserver import HandlerLoader, LocalApi, serve
from localdev.authorizer import CognitoAuthorizer
from localdev.localaws import free_port
from tests import auth_context as ctx
from tests.helpers import REPO, collections_variant_config

SCHEMATHESIS = REPO / ".venv-contract" / "bin" / "schemathesis"
EXAMPLES = int(os.environ.get("CONTRACT_EXAMPLES", "15"))
SEED = os.environ.get("CONTRACT_SEED", "" if "CONTRACT_EXAMPLES" in os.environ else "20261127")
TABLE = "items"  # the conftest `dynamodb` fixture's table
STAGE = "dev"

# Nothing is seeded: every list token `next` the document allows is one the API accepts
# (the id to start after), so Schemathesis's own values for it must pass as they are.
ACCEPTED = ["2xx", "3xx", "401", "403", "404", "409", "412", "422", "429", "5xx"]
# The list operations of collections with indexes (their query parameters are the
# indexes' attributes).
QUERYING = ["listOrdersItems", "listCustomersItems"]
# Every warning Schemathesis shows by default but validation_mismatch (see CONFIG).
WARNINGS = ["missing_auth", "missing_test_data", "base_url_mismatch", "missing_deserializer",
            "unused_openapi_auth", "unsupported_regex", "method_not_allowed",
            "constants_extraction", "unmatched_filter", "unresolvable_reference",
            "rate_limited", "dictionary_mismatch", "timeout_units"]
CONFIG = f"""\
# An expiry already past is a 400 no schema can say (it depends on the clock): the
# coverage phase's boundary values for orders' expiry (0, the smallest integers) are all
# past, and enough of them set off the validation-mismatch warning, which Schemathesis
# can only turn off run-wide. What it warns of stays checked: positive_data_acceptance
# fails any operation that refuses valid data, save the failures HOOKS drops (that 400,
# with its message).
warnings = {json.dumps(WARNINGS)}

# 412 joins the statuses that do not make valid data "rejected": like 409, it answers
# the item's state (a stale If-Match, which the stateful phase replays from older
# answers), not the request's shape; the document promises it on PUT and DELETE. So does
# 422 on POST: an Idempotency-Key Schemathesis already sent with another body.
[checks.positive_data_acceptance]
expected-statuses = {json.dumps(ACCEPTED)}

# On a collection with indexes, `next` also takes a query's token, `.<tag>.<id>`: the
# document can say its shape but not which query made it (the tag is a hash of the
# index and its value), so a schema-valid token is refused with 400
# BAD_REQUEST_PARAMETERS by any request other than the query that made it: by the plain
# list, by another index or value, and a list's token by a query. Only these list
# operations (QUERYING) may also answer 400 to valid data; every other operation may not.
[[operations]]
include-operation-id = {json.dumps(QUERYING)}
checks.positive_data_acceptance.expected-statuses = {json.dumps([*ACCEPTED, "400"])}
"""


# Significant digits are one of the two limits draft 4 cannot say (README, "The API"):
# a number boto3 cannot hand DynamoDB exactly (an integer of more than 38 digits) passes the
# models and is the function's documented 400. Schemathesis generates such integers for
# a schema's `integer` fields: bodies holding one are not generated, and the boundary
# values the coverage phase builds (an integer `maximum` spelled out) answered with
# exactly that 400 are dropped. The other rule no schema can say is about the clock: an
# expiry already past is a 400 (the item would be gone on arrival), so a whole-number
# expiry generated in the past is moved as far into the future (the same number of
# seconds from now); an answer that still says so is dropped.
HOOKS = """\
import time

import schemathesis

EXPIRY_FIELDS = %r


def _digits(value):
    if isinstance(value, bool):
        return 0
    if isinstance(value, int):
        return len(str(abs(value)))  # as written: boto3 refuses rounding even zeros
    if isinstance(value, dict):
        return max(map(_digits, value.values()), default=0)
    if isinstance(value, list):
        return max(map(_digits, value), default=0)
    return 0


@schemathesis.hook
def filter_body(context, body):
    return _digits(body) <= 38


@schemathesis.hook
def map_body(context, body):
    data = body.get("data") if isinstance(body, dict) else None
    for name in EXPIRY_FIELDS if isinstance(data, dict) else ():
        value = data.get(name)
        if isinstance(value, int) and not isinstance(value, bool) and value <= time.time():
            data[name] = int(time.time()) + 60 + abs(value) %% 10 ** 9
    return body


@schemathesis.hook
def filter_failure(context, failure, case, response):
    if response.status_code != 400:
        return True
    return not ((_digits(case.body) > 38 and "at most 38 significant digits" in response.text)
                or "already past" in response.text)
"""


@pytest.fixture()
def pool() -> Iterator[ctx.TestPool]:
    found = ctx.TestPool()
    with found.serve_jwks() as url:
        found.jwks_url = url  # type: ignore[attr-defined]
        yield found


@pytest.fixture()
def local_api(dynamodb, monkeypatch: pytest.MonkeyPatch,
              pool: ctx.TestPool) -> Iterator[str]:
    """The local API of the rendered three-collection dev template on a free port, each
    collection on its own moto table; yields its base URL."""
    import data_api.handler as handler_module

    cfg = collections_variant_config("dev")
    template = json.loads(build_template(cfg).to_json())
    resources = template["Resources"]
    # Table logical ID -> its moto table; each but the default's made as the template
    # makes it (keys, billing, capacity, global secondary indexes).
    tables = {c.table_id: TABLE if c.is_default else c.name for c in cfg.collections}
    for table_id, table in tables.items():
        if table != TABLE:
            props = resources[table_id]["Properties"]
            dynamodb.create_table(TableName=table, **{
                key: props[key] for key in ("KeySchema", "AttributeDefinitions", "BillingMode",
                                            "ProvisionedThroughput", "GlobalSecondaryIndexes")
                if key in props})
    # The function's COLLECTIONS as the template writes it (schemas, indexes, expiry),
    # each `${<Table>}` the moto table's name.
    variables = resources[ids.FUNCTION]["Properties"]["Environment"]["Variables"]
    collections = re.sub(r"\$\{(\w+)\}", lambda m: tables[m.group(1)],
                         variables[collection_env.ENV]["Fn::Sub"])
    assert collection_env.decode(collections)["/orders"].indexes  # a query is served
    function_env = {collection_env.ENV: collections, "CORS_ORIGIN": "*",
                    **ctx.function_env()}
    for name, value in function_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(handler_module, "_client", None)  # a client for this moto
    port = free_port()
    base = f"http://127.0.0.1:{port}/{STAGE}"
    app = LocalApi(template, function_env, HandlerLoader(), log=lambda line: None,
                   authorizers={ids.AUTHORIZER: CognitoAuthorizer(
                       ctx.ISSUER, pool.jwks_url)},  # type: ignore[attr-defined]
                   openapi=build_openapi(cfg, [{"url": base, "description": "local"}]),
                   # The run sends far more than dev's stage allows per second; the
                   # throttle's own answers are tested in test_local_api_answers.
                   throttle=False)
    server = serve(app, "127.0.0.1", port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base
    finally:
        server.shutdown()
        server.server_close()


def test_schemathesis_finds_nothing(local_api: str, pool: ctx.TestPool, tmp_path: Path) -> None:
    writer = pool.token(ctx.user_payload("contract-writer", [ctx.GROUPS["writer"]]))
    # The token is a writer's: without this, 401s everywhere would pass the run unseen.
    created = urllib.request.Request(local_api + "/data", method="POST", data=b'{"data": 1}',
                                     headers={"Content-Type": "application/json",
                                              "Authorization": f"Bearer {writer}"})
    with urllib.request.urlopen(created, timeout=10) as reply:
        assert reply.status == 201
    schema = tmp_path / "openapi.json"
    with urllib.request.urlopen(local_api.rsplit("/", 1)[0] + "/openapi.json",
                                timeout=10) as reply:
        schema.write_bytes(reply.read())  # the document as the local API serves it
    assert json.loads(schema.read_text())["servers"][0]["url"] == local_api
    (tmp_path / "schemathesis.toml").write_text(CONFIG)
    expiries = sorted({c.ttl_attribute for c in collections_variant_config(STAGE).collections
                       if c.ttl_attribute})
    (tmp_path / "digits_hooks.py").write_text(HOOKS % (expiries,))
    command = [str(SCHEMATHESIS), "--config-file", str(tmp_path / "schemathesis.toml"),
               "run", str(schema), "--url", local_api, "--checks", "all", "--mode", "all",
               "--header", f"Authorization: Bearer {writer}",
               "--max-examples", str(EXAMPLES), "--workers", "1", "--request-timeout", "20",
               "--no-color", "--report", "junit", "--report-dir", str(tmp_path / "report")]
    if SEED:
        command += ["--seed", SEED]
    result = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True,
                            timeout=600, env={**os.environ, "SCHEMATHESIS_HOOKS": "digits_hooks",
                                              "PYTHONPATH": str(tmp_path)})
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-3000:]
    assert "No issues found" in result.stdout.splitlines()[-1], result.stdout[-3000:]
    generated = re.search(r"(\d+) generated, (\d+) passed", result.stdout)
    assert generated and int(generated[1]) == int(generated[2]) > 0, result.stdout[-3000:]
    # Every operation of every collection (5 each), not only /data's.
    assert re.search(r"Tested: 15\b", result.stdout), result.stdout[-3000:]
