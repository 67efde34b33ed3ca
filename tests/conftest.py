"""One rendering per environment, through the real `sceptre generate` CLI."""

from __future__ import annotations

import pytest

from tests.helpers import ENVIRONMENTS, generate


@pytest.fixture(scope="session")
def dev_template() -> dict:
    return generate("dev/api.yaml")


@pytest.fixture(scope="session")
def prod_template() -> dict:
    return generate("prod/api.yaml")


@pytest.fixture(scope="session", params=ENVIRONMENTS)
def env_template(request: pytest.FixtureRequest) -> tuple[str, dict]:
    """(environment, rendered API template), once per environment."""
    return request.param, request.getfixturevalue(f"{request.param}_template")
