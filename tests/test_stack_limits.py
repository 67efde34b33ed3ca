"""One stack holds at least fifteen collections, and a config over one of AWS's limits
is refused at `sceptre generate` in one line naming the limit, the count and how many
collections fit (templates/data_api_stack/limits.py).

The limits are checked against independent evidence: CloudFormation's own quotas as
cfn-lint enforces them (its resource schemas' maxItems for Cognito's scopes), and the
rendered JSON counted here.
"""

from __future__ import annotations

import json
import re

import pytest
from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

from data_api_stack import build_template, render
from data_api_stack.limits import LimitError
from tests.helpers import config_with_collections, copy_project, edit, offline_env, \
    render_many_collections, sceptre

# CloudFormation quotas (User Guide, "CloudFormation quotas"): resources and outputs per
# stack, and the largest template a stack may be created from (through S3, as Sceptre
# uploads it).
MAX_RESOURCES, MAX_OUTPUTS, MAX_TEMPLATE_BYTES = 500, 200, 1_000_000
ERROR = re.compile(r"^sceptre_user_data\.collections: this stack would have (?P<count>\d+) "
                   r"(?P<what>.+?), over the limit of (?P<limit>\d+).*; (?P<fit>\d+) of "
                   r"these (?P<total>\d+) collections fit \(the first (?P=fit)\)")


def _max_items(resource_type: str, prop: str) -> int:
    schema = PROVIDER_SCHEMA_MANAGER.get_resource_schema("us-west-2", resource_type).schema
    return int(schema["properties"][prop]["maxItems"])


def _collections(count: int, billing: str = "provisioned") -> dict:
    return {"data": {}, **{f"c{n:02}": {"billing": billing} for n in range(1, count)}}


def _refusal(cfg) -> re.Match:
    with pytest.raises(LimitError) as refused:
        build_template(cfg)
    message = str(refused.value)
    assert "\n" not in message
    found = ERROR.match(message)
    assert found, message
    return found


@pytest.mark.parametrize("auth", ["", "iam"])
def test_fifteen_collections_fit_one_prod_stack(auth):
    template = json.loads(render_many_collections("prod", auth))
    resources = template["Resources"]
    assert len(template["Resources"]) <= MAX_RESOURCES
    assert len(template["Outputs"]) <= MAX_OUTPUTS
    assert len(render_many_collections("prod", auth).encode()) < MAX_TEMPLATE_BYTES
    tables = [r for r in resources.values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == 15
    # Shared, not per collection: one invoke permission, one dashboard.
    assert sum(r["Type"] == "AWS::Lambda::Permission" for r in resources.values()) == 1
    assert sum(r["Type"] == "AWS::CloudWatch::Dashboard" for r in resources.values()) == 1
    if not auth:
        client = resources["MachineClient"]["Properties"]["AllowedOAuthScopes"]
        assert len(client) <= _max_items("AWS::Cognito::UserPoolClient", "AllowedOAuthScopes")


def test_one_collection_more_than_fit_is_refused_naming_the_limit():
    """Provisioned collections in prod (auto scaled): the 500 resources stop them. The
    most that fit
    render; one more is the named error, its count what that stack would have."""
    fit = _refusal(config_with_collections("prod", _collections(60)))
    assert fit["what"] == "resources (CloudFormation, per stack)" and fit["limit"] == "500"
    most = int(fit["fit"])
    assert most >= 15 and fit["total"] == "60"
    rendered = json.loads(render.to_json(build_template(
        config_with_collections("prod", _collections(most)))))
    assert len(rendered["Resources"]) <= MAX_RESOURCES
    one_more = _refusal(config_with_collections("prod", _collections(most + 1)))
    assert (one_more["fit"], one_more["total"]) == (str(most), str(most + 1))
    assert one_more["what"] == fit["what"] and int(one_more["count"]) > MAX_RESOURCES
    # What one more collection adds, measured on two renders, is what the count says.
    one = json.loads(render.to_json(build_template(
        config_with_collections("prod", _collections(1)))))
    two = json.loads(render.to_json(build_template(
        config_with_collections("prod", _collections(2)))))
    each = len(two["Resources"]) - len(one["Resources"])
    assert int(one_more["count"]) == len(rendered["Resources"]) + each


def test_the_machine_clients_scopes_are_the_limit_of_small_collections_in_cognito():
    """Two scopes per collection on the machine client, which Cognito caps (cfn-lint's
    schema: AllowedOAuthScopes maxItems): on-demand collections in dev meet it first."""
    cap = _max_items("AWS::Cognito::UserPoolClient", "AllowedOAuthScopes")
    refused = _refusal(config_with_collections("dev", _collections(40, "on_demand")))
    assert refused["what"] == "scopes on one app client (Cognito)"
    assert refused["limit"] == str(cap) and int(refused["count"]) == 2 + 2 * 40
    most = int(refused["fit"])
    assert 2 + 2 * most <= cap < 2 + 2 * (most + 1)
    build_template(config_with_collections("dev", _collections(most, "on_demand")))


def test_iam_mode_names_its_own_limits_and_holds_as_many_collections():
    """In IAM mode there are no scopes; each collection adds two managed policies."""
    refused = _refusal(config_with_collections("prod", _collections(60), "iam"))
    assert refused["what"] == "resources (CloudFormation, per stack)"
    assert int(refused["fit"]) >= 15


def test_sceptre_generate_refuses_it_in_one_line(tmp_path):
    project = copy_project(tmp_path)
    block = "  collections:\n" + "".join(f"    c{n:02}: {{}}\n" for n in range(60))
    edit(project / "config" / "prod" / "api.yaml", "sceptre_user_data:\n",
         "sceptre_user_data:\n" + block)
    result = sceptre("generate", "prod/api.yaml", cwd=project, env=offline_env(), check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if "collections" in line]
    assert len(lines) == 1, output
    assert "resources (CloudFormation, per stack), over the limit of 500" in lines[0]
    assert re.search(r"; \d+ of these 60 collections fit \(the first \d+\)", lines[0])
    assert "Traceback" not in output
