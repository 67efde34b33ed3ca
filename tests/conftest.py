"""One rendering per environment, through the real `sceptre generate` CLI."""

from __future__ import annotations

import functools
import os

import pytest

from tests.helpers import ENVIRONMENTS, REGION, generate

IDEMPOTENCY_TABLE = "idempotency"  # the in-process tests' records table


@functools.lru_cache(maxsize=None)
def api_template(env: str) -> dict:
    """config/<env>/api.yaml as `sceptre generate` renders it, once per session."""
    return generate(f"{env}/api.yaml")


@pytest.fixture(scope="session")
def dev_template() -> dict:
    return api_template("dev")


@pytest.fixture(scope="session")
def prod_template() -> dict:
    return api_template("prod")


@pytest.fixture(scope="session", params=ENVIRONMENTS)
def env_template(request: pytest.FixtureRequest) -> tuple[str, dict]:
    """(environment, rendered API template), once per environment folder of config/."""
    return request.param, api_template(request.param)


@pytest.fixture(autouse=True)
def auth_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """The function's access-control variables, as the dev template sets them, unless
    already set (a local API serving a launched stack sets the stack's own)."""
    from data_api import collection_env, idempotency
    from tests.auth_context import function_env

    # The default collection on the in-process tests' table (tests.conftest `items`), and
    # the idempotency records' table (`dynamodb` creates both).
    for name, value in {**function_env(),
                        collection_env.ENV: collection_env.encode({"/data": "items"}),
                        idempotency.ENV_TABLE: IDEMPOTENCY_TABLE}.items():
        if name not in os.environ:
            monkeypatch.setenv(name, value)


@pytest.fixture()
def aws_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fake credentials and region for moto; never a real account."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                        "AWS_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture()
def dynamodb(aws_credentials, dev_template):
    """moto's in-process DynamoDB with the table built from the rendered template."""
    import boto3
    from moto import mock_aws

    props = dev_template["Resources"]["DataTable"]["Properties"]
    records = dev_template["Resources"]["IdempotencyTable"]["Properties"]
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        client.create_table(TableName="items", KeySchema=props["KeySchema"],
                            AttributeDefinitions=props["AttributeDefinitions"],
                            ProvisionedThroughput=props["ProvisionedThroughput"])
        client.create_table(TableName=IDEMPOTENCY_TABLE, KeySchema=records["KeySchema"],
                            AttributeDefinitions=records["AttributeDefinitions"],
                            BillingMode=records["BillingMode"])
        yield client


@pytest.fixture()
def api(dynamodb, monkeypatch: pytest.MonkeyPatch):
    from data_api.storage import Storage
    from tests.api_client import ApiClient

    monkeypatch.setenv("CORS_ORIGIN", "*")
    return ApiClient(Storage(dynamodb, "items"))
