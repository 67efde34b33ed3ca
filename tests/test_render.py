"""render.to_json, the one-pass rendering the Sceptre handler uploads, gives exactly the
text troposphere's own Template.to_json gives (compact), on every shipped environment
and every variant the suite renders; and the API Gateway deployment's hash, computed
through it, is the hash of troposphere's own rendering."""

from __future__ import annotations

import dataclasses
import hashlib
import json

import pytest

from data_api_stack import build_template, render
from data_api_stack.machine_clients import KEY, parse_machine_clients
from data_api_stack.openapi_cli import load_environment
from tests.helpers import AUTH_VARIANTS, ENVIRONMENTS, MANY_COLLECTIONS, REPO, \
    SERVICE_CLIENTS, collections_variant_config, config_with_collections


def _configs():
    for env in ENVIRONMENTS:
        yield f"{env}", load_environment(REPO, env).config
        yield f"{env}-collections", collections_variant_config(env)
        for auth in AUTH_VARIANTS:
            yield f"{env}-collections-{auth}", dataclasses.replace(
                collections_variant_config(env), **AUTH_VARIANTS[auth])
        many = config_with_collections(env, MANY_COLLECTIONS)
        yield f"{env}-many-clients", dataclasses.replace(
            many, machine_clients=parse_machine_clients(KEY, SERVICE_CLIENTS))


@pytest.mark.parametrize("name,cfg", list(_configs()), ids=[n for n, _ in _configs()])
def test_one_pass_rendering_is_troposphere_s_own(name, cfg):
    ours = render.to_json(build_template(cfg))
    theirs = build_template(cfg).to_json(indent=None, separators=(",", ":"))
    assert ours == theirs


def test_the_deployments_hash_is_the_hash_of_troposphere_s_rendering():
    from data_api_stack import stage

    template = build_template(collections_variant_config("dev"))
    definition = [r for r in template.resources.values()
                  if r.resource_type.startswith("AWS::ApiGateway::")
                  and r.resource_type not in ("AWS::ApiGateway::Deployment",
                                              "AWS::ApiGateway::Stage",
                                              "AWS::ApiGateway::RestApi")]
    # Metadata (the analyzers' suppressions) is added after the hash is taken.
    for obj in definition:
        obj.resource.pop("Metadata", None)
    expected = hashlib.sha256(json.dumps([obj.to_dict() for obj in definition],
                                         sort_keys=True).encode()).hexdigest()[:12]
    assert stage.definition_hash(definition) == expected
