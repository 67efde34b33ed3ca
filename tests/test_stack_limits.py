"""One stack holds at least fifteen collections, and a config over one of AWS's limits
is refused at `sceptre generate` in one line naming the limit, the count and how many
collections fit (templates/data_api_stack/limits.py).

The limits are checked against independent evidence: CloudFormation's own quotas as
cfn-lint enforces them (its resource schemas' maxItems for Cognito's scopes), and the
rendered JSON counted here.
"""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER

from data_api_stack import build_template, render
from data_api_stack.limits import LimitError
from data_api_stack.machine_clients import KEY, parse_machine_clients
from tests.helpers import config_with_collections, copy_project, edit, offline_env, \
    render_many_collections, sceptre, settings_file

# CloudFormation quotas (User Guide, "CloudFormation quotas"): resources and outputs per
# stack, and the largest template a stack may be created from (through S3, as Sceptre
# uploads it).
MAX_RESOURCES, MAX_OUTPUTS, MAX_TEMPLATE_BYTES = 500, 200, 1_000_000
ERROR = re.compile(r"^sceptre_user_data\.collections: (?P<fit>\d+) of these (?P<total>\d+) "
                   r"collections fit one stack \(the first (?P=fit)\); with \d+ it would have "
                   r"(?P<count>\d+) (?P<what>.+?), over the limit of (?P<limit>\d+)")


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
    assert len(tables) == 15 + 1  # and the idempotency records' table
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


def test_a_service_with_a_right_on_every_collection_stays_under_cognitos_scopes():
    """A `machine_clients` service has one scope per collection it may use on its app
    client, which Cognito caps (cfn-lint's schema: AllowedOAuthScopes maxItems): the
    resources stop the collections first. Beyond the first few, its rights on the rest
    go with them."""
    cap = _max_items("AWS::Cognito::UserPoolClient", "AllowedOAuthScopes")
    collections = _collections(60, "on_demand")
    cfg = dataclasses.replace(config_with_collections("prod", collections),
                              machine_clients=parse_machine_clients(KEY, {
                                  "auditor": [f"{name}:read" for name in collections]}))
    refused = _refusal(cfg)
    assert refused["what"] == "resources (CloudFormation, per stack)"
    most = int(refused["fit"])
    assert most <= cap
    fits = dataclasses.replace(config_with_collections("prod", _collections(most, "on_demand")),
                               machine_clients=parse_machine_clients(KEY, {
                                   "auditor": [f"{name}:read" for name in
                                               _collections(most)]}))
    resources = json.loads(render.to_json(build_template(fits)))["Resources"]
    assert len(resources["AuditorMachineClient"]["Properties"]["AllowedOAuthScopes"]) == most
    assert len(resources["MachineClient"]["Properties"]["AllowedOAuthScopes"]) == 2


def test_the_paging_composite_names_at_most_100_alarms():
    """CloudWatch's PutCompositeAlarm: at most 100 underlying alarms. Dev's provisioned
    tables without auto scaling have five paging alarms each (throttles, capacity, system
    errors): they stop first there."""
    refused = _refusal(config_with_collections("dev", _collections(30)))
    assert refused["what"] == "alarms in the paging composite alarm (CloudWatch)"
    most = int(refused["fit"])
    template = json.loads(render.to_json(build_template(
        config_with_collections("dev", _collections(most)))))
    (composite,) = [r for r in template["Resources"].values()
                    if r["Type"] == "AWS::CloudWatch::CompositeAlarm"]
    named = composite["Properties"]["AlarmRule"].count("ALARM(")
    assert named <= 100 < int(refused["count"])
    assert most >= 15


def test_iam_mode_names_its_own_limits_and_holds_as_many_collections():
    """In IAM mode there are no scopes; each collection adds two managed policies."""
    refused = _refusal(config_with_collections("prod", _collections(60), "iam"))
    assert refused["what"] == "resources (CloudFormation, per stack)"
    assert int(refused["fit"]) >= 15


def test_sceptre_generate_refuses_it_in_one_line(tmp_path):
    project = copy_project(tmp_path)
    block = "  collections:\n" + "".join(f"    c{n:02}: {{}}\n" for n in range(60))
    edit(settings_file(project, "prod"), "sceptre_user_data:\n",
         "sceptre_user_data:\n" + block)
    result = sceptre("generate", "prod/api.yaml", cwd=project, env=offline_env(), check=False)
    assert result.returncode != 0
    output = result.stdout + result.stderr
    lines = [line for line in output.splitlines() if "collections" in line]
    assert len(lines) == 1, output
    assert "resources (CloudFormation, per stack), over the limit of 500" in lines[0]
    assert re.search(r": \d+ of these 60 collections fit one stack \(the first \d+\); "
                     r"with \d+ it would have", lines[0])
    assert "Traceback" not in output


def test_the_pre_traffic_checks_environment_is_a_named_limit_too():
    """The release checks' function carries each collection's example and, in Cognito
    mode, a write scope for each collection its `access` keeps from the API-wide writers:
    Lambda's 4 KB applies to it as to the API function."""
    example = {"description": "x" * 160, "n": 1}
    collections = {"data": {}, **{f"c{n:02}": {"example": example,
                                               "access": {"writers": "read"}}
                                  for n in range(1, 21)}}
    refused = _refusal(config_with_collections("prod", collections))
    assert refused["what"] == "bytes in the pre-traffic check's environment (Lambda)"
    assert refused["limit"] == "4096" and int(refused["count"]) > 4096
    most = int(refused["fit"])
    template = json.loads(render.to_json(build_template(config_with_collections(
        "prod", dict(list(collections.items())[:most])))))
    variables = template["Resources"]["PreTrafficCheckFunction"]["Properties"][
        "Environment"]["Variables"]
    plain = {k: v if isinstance(v, str) else "x" * 128 for k, v in variables.items()}
    assert len(json.dumps(plain, separators=(",", ":"))) <= 4096


def test_the_function_roles_inline_policy_is_a_named_limit():
    """The function's role names every table and every index by its exact ARN; IAM caps
    a role's inline policies at 10,240 characters. Many indexes meet it."""
    indexes = {f"by_f{n}": {"attribute": f"f{n}"} for n in range(14)}
    collections = {"data": {}, **{f"c{n:02}": {"billing": "on_demand", "indexes": indexes}
                                  for n in range(1, 10)}}
    refused = _refusal(config_with_collections("prod", collections))
    assert refused["what"] == "characters in a role's inline policies (IAM)"
    most = int(refused["fit"])
    template = json.loads(render.to_json(build_template(config_with_collections(
        "prod", dict(list(collections.items())[:most])))))
    role = template["Resources"]["ApiFunctionRole"]["Properties"]
    # Resolved as IAM would see it in us-west-2, the real region: under the limit.
    text = json.dumps([p["PolicyDocument"] for p in role["Policies"]], separators=(",", ":"))
    assert len(text) < 10240


def test_the_dashboard_lists_every_alarm_in_widgets_of_at_most_100():
    from data_api_stack import dashboard

    body = dashboard._body(config_with_collections("dev", _collections(3)).collections, 230)
    widgets = [w for w in body["widgets"] if w["type"] == "alarm"]
    assert [len(w["properties"]["alarms"]) for w in widgets] == [100, 100, 30]
    assert len({a for w in widgets for a in w["properties"]["alarms"]}) == 230


def test_a_services_rights_on_the_collections_cut_go_with_them():
    """A `machine_clients` right on the last collection: the first few collections, cut
    without it, are still a config, so how many fit is what the collections alone say."""
    collections = _collections(40)
    cfg = dataclasses.replace(config_with_collections("prod", collections),
                              machine_clients=parse_machine_clients(KEY, {
                                  "late": [f"{list(collections)[-1]}:read"]}))
    refused = _refusal(cfg)
    assert int(refused["fit"]) == int(_refusal(config_with_collections(
        "prod", collections))["fit"])
