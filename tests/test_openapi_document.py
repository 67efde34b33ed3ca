"""`make openapi ENV=<env>`: the document validates as OpenAPI and says what the API does."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from data_api import errors, routes, validation
from data_api_stack import project
from tests.helpers import BIN, ENVIRONMENTS, PROJECT, REGION, REPO, offline_env

VALIDATOR = REPO / ".venv-contract" / "bin" / "openapi-spec-validator"


def _generate(tmp_path: Path, env: str, *flags: str) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path / f"openapi-{env}.json"
    result = subprocess.run([str(BIN / "python"), "-m", "data_api_stack.openapi_cli",
                             "--env", env, "--out", str(out), *flags], cwd=REPO,
                            capture_output=True, text=True, env=offline_env(), timeout=120)
    return result, out


@pytest.fixture(scope="module", params=ENVIRONMENTS)
def generated(request, tmp_path_factory) -> tuple[str, Path]:
    # No --offline: with no credentials the deployed stack cannot be read, so this also
    # shows the fallback is quiet and quick.
    result, out = _generate(tmp_path_factory.mktemp("openapi"), request.param)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    return request.param, out


def test_document_validates_as_openapi(generated):
    _, out = generated
    result = subprocess.run([str(VALIDATOR), str(out)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK" in result.stdout


def test_document_has_the_environments_stage_and_every_route(generated):
    env, out = generated
    document = json.loads(out.read_text())
    server = document["servers"][0]
    assert server["url"].endswith(f".execute-api.{{region}}.amazonaws.com/{env}")
    assert server["variables"]["region"]["default"] == project.region(REPO, env)
    operations = {(path, method.upper()) for path, ops in document["paths"].items()
                  for method in ops}
    assert operations == {(path, method) for path, methods in routes.ROUTES.items()
                          for method in methods if method != "OPTIONS"}


def test_document_states_the_limits_statuses_and_headers(generated):
    _, out = generated
    document = json.loads(out.read_text())
    create = document["paths"][routes.COLLECTION]["post"]
    assert set(create["responses"]["201"]["headers"]) == {"Location", "ETag",
                                                          "Idempotent-Replayed"}
    assert {"400", "409", "413", "415", "422"} <= set(create["responses"])
    assert "Retry-After" in create["responses"]["409"]["headers"]
    key = next(p for p in create["parameters"] if p["name"] == "Idempotency-Key")
    assert key["in"] == "header" and key["required"] is False
    replace = document["paths"][routes.ITEM]["put"]
    assert "If-Match" in [p["name"] for p in replace["parameters"] if p["in"] == "header"]
    assert set(replace["responses"]["412"]["headers"]) == {"ETag"}
    listing = document["paths"][routes.COLLECTION]["get"]["parameters"]
    limit = next(p for p in listing if p["name"] == "limit")["schema"]
    assert limit["maximum"] == validation.MAX_LIMIT
    body = document["components"]["schemas"]["NewItem"]
    assert body["properties"]["id"]["maxLength"] == validation.MAX_ID_LENGTH
    assert errors.PRECONDITION_FAILED in replace["responses"]["412"]["description"]


def test_an_unknown_environment_is_one_line(tmp_path):
    result, out = _generate(tmp_path, "nope", "--offline")
    assert result.returncode == 2 and not out.exists()
    assert result.stderr.strip() == ("error: no environment 'nope' (no config/nope/api.yaml; "
                                     f"environments: {', '.join(ENVIRONMENTS)})")


@pytest.fixture(scope="module")
def collections_document(tmp_path_factory) -> dict:
    """The document of dev with data, an on-demand orders and customers."""
    from data_api_stack import parse_config
    from data_api_stack.openapi import build_openapi, templated_server

    cfg = parse_config({**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip",
                        "collections": {"data": {}, "orders": {"billing": "on_demand"},
                                        "customers": {}}})
    return build_openapi(cfg, [templated_server("dev", REGION)])


def test_the_document_covers_every_collection_and_validates(collections_document, tmp_path):
    out = tmp_path / "openapi.json"
    out.write_text(json.dumps(collections_document))
    result = subprocess.run([str(VALIDATOR), str(out)], capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    paths = collections_document["paths"]
    for collection in ("/data", "/orders", "/customers"):
        assert set(paths[collection]) == {"get", "post"}
        assert set(paths[collection + "/{id}"]) == {"get", "put", "delete"}
    ids = [op["operationId"] for ops in paths.values() for op in ops.values()]
    assert len(ids) == len(set(ids)) == 15
    assert {"listItems", "createOrdersItem", "getCustomersItem"} <= set(ids)


def test_links_stay_within_their_collection(collections_document):
    paths = collections_document["paths"]
    owner = {op["operationId"]: path.split("/")[1] for path, ops in paths.items()
             for op in ops.values()}
    links = [(op["operationId"], link["operationId"]) for ops in paths.values()
             for op in ops.values() for reply in op["responses"].values()
             for link in reply.get("links", {}).values()]
    assert len(links) == 3 * 10  # per collection: 3 x 3 item links and the next page
    assert all(owner[source] == owner[target] for source, target in links)


def test_the_deployed_stack_is_read_with_the_folders_profile_region_and_role(monkeypatch):
    """`make openapi` reads the stack's outputs as Sceptre reaches the stack: with the
    environment folder's profile, region and sceptre_role (README "Environments in other
    accounts")."""
    from sceptre import connection_manager

    from data_api_stack import openapi_cli

    seen = []

    class Client:
        def describe_stacks(self, StackName: str) -> dict:
            seen.append(("describe_stacks", StackName))
            return {"Stacks": [{"Outputs": [{"OutputKey": "ApiUrl", "OutputValue": "u"}]}]}

    class Session:
        def client(self, service: str, config: object = None) -> Client:
            seen.append(("client", service))
            return Client()

    class Manager:
        def __init__(self, region: str, profile: str, stack_name: str, sceptre_role: str):
            seen.append(("manager", region, profile, stack_name, sceptre_role))

        def get_session(self) -> Session:
            return Session()

    monkeypatch.setattr(connection_manager, "ConnectionManager", Manager)
    role = "arn:aws:iam::222222222222:role/sceptre-deployer"
    environment = openapi_cli.Environment(openapi_cli.load_environment(REPO, "prod").config,
                                          "serverless-data-api-prod-api", "eu-west-1",
                                          "deployer", role)
    assert openapi_cli.deployed_outputs(environment) == {"ApiUrl": "u"}
    assert seen == [("manager", "eu-west-1", "deployer", "serverless-data-api-prod-api", role),
                    ("client", "cloudformation"),
                    ("describe_stacks", "serverless-data-api-prod-api")]
