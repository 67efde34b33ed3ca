"""The `collections` key: a typo or a clash is one line naming the key and the value,
at `sceptre generate`, before anything reaches AWS."""

from __future__ import annotations

import pytest

from data_api_stack import ConfigError, build_template, parse_config
from tests.helpers import PROJECT, copy_project, edit, sceptre, settings_file

GOOD = {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"}

BAD_COLLECTIONS = [
    # (collections value, what the message must name)
    ({"Orders": {}}, ["collections", "'Orders'"]),
    ({"order-items": {}}, ["collections", "'order-items'"]),
    ({"9lives": {}}, ["collections", "'9lives'"]),
    ({"orders__x": {}}, ["collections", "'orders__x'"]),
    ({"a" * 33: {}}, ["collections", "a" * 33]),
    ({}, ["collections", "{}"]),
    (["orders"], ["collections", "['orders']"]),
    ({"orders": "on_demand"}, ["collections.orders", "'on_demand'"]),
    ({"orders": {"billing": "ondemand"}}, ["collections.orders.billing", "'ondemand'"]),
    ({"orders": {"billing": "PAY_PER_REQUEST"}}, ["collections.orders.billing",
                                                  "'PAY_PER_REQUEST'"]),
    ({"orders": {"sort_key": "x"}}, ["collections.orders", "'sort_key'"]),
    ({"orders": {"path": "orders"}}, ["collections.orders.path", "'orders'"]),
    ({"orders": {"path": "/Orders"}}, ["collections.orders.path", "'/Orders'"]),
    ({"orders": {"path": "/v1/orders"}}, ["collections.orders.path", "'/v1/orders'"]),
    ({"orders": {"path": "/"}}, ["collections.orders.path", "'/'"]),
    ({"orders": {"path": "/{proxy+}"}}, ["collections.orders.path", "'/{proxy+}'"]),
    ({"orders": {"path": "/docs"}}, ["collections.orders.path", "'/docs'"]),
    ({"data": {}, "orders": {"path": "/data"}}, ["collections.orders.path", "'/data'",
                                                  "'data'"]),
    ({"a_b1": {}, "a_b_1": {}}, ["collections", "'a_b_1'", "'a_b1'"]),
    ({"items": {}}, ["collections.items", "'items'"]),
    ({"orders": {"billing": ["on_demand"]}}, ["collections.orders.billing", "['on_demand']"]),
    ({"orders": {1: "x", "size": 2}}, ["collections.orders", "'size'", "1"]),
    ({"dev": {}}, ["collections.dev.path", "'/dev'"]),
]


@pytest.mark.parametrize("collections,named", BAD_COLLECTIONS,
                         ids=[repr(c[0])[:40] for c in BAD_COLLECTIONS])
def test_bad_collections_are_refused_naming_key_and_value(collections, named):
    with pytest.raises(ConfigError) as raised:
        parse_config({**GOOD, "collections": collections})
    message = str(raised.value)
    assert "\n" not in message
    for part in named:
        assert part in message, (part, message)


@pytest.mark.parametrize("name", ["catch_all", "root", "data_item"])
def test_a_name_whose_logical_ids_the_stack_has_is_a_config_error(name):
    """CatchAllResource, RootAnyMethod and DataItemResource are taken."""
    cfg = parse_config({**GOOD, "collections": {"data": {}, name: {}}})
    with pytest.raises(ConfigError, match=f"sceptre_user_data.collections: .*{name}"):
        build_template(cfg)


def test_defaults_the_data_collection_and_each_path_from_its_name():
    assert [(c.name, c.path, c.billing) for c in parse_config(GOOD).collections] == [
        ("data", "/data", "provisioned")]
    cfg = parse_config({**GOOD, "collections": {
        "data": {}, "orders": {"path": "/orders", "billing": "on_demand"},
        "customer_notes": None}})
    assert [(c.name, c.path, c.billing) for c in cfg.collections] == [
        ("data", "/data", "provisioned"), ("orders", "/orders", "on_demand"),
        ("customer_notes", "/customer_notes", "provisioned")]


def test_a_bad_collection_fails_sceptre_generate_with_one_clear_line(tmp_path):
    project = copy_project(tmp_path)
    edit(settings_file(project, "dev"), "sceptre_user_data:\n",
         "sceptre_user_data:\n  collections:\n    data: {}\n    orders: {billing: lots}\n")
    result = sceptre("--ignore-dependencies", "generate", "dev/api.yaml", cwd=project,
                     check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "sceptre_user_data.collections.orders.billing" in output and "'lots'" in output
    assert "Traceback" not in output
