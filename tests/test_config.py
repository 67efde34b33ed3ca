"""Environment config: typed, frozen, strict; errors name the key and the value."""

from __future__ import annotations

import dataclasses
import json
import re
import shutil
from pathlib import Path

import pytest

from data_api_stack import ConfigError, build_template, parse_config
from tests.helpers import ENVIRONMENTS, PROJECT, REPO, copy_project, edit, generate, sceptre, \
    settings_file

GOOD = {**PROJECT, "environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"}

BAD_CONFIGS = [
    ({"environment": "Dev"}, "environment", "'Dev'"),
    ({"environment": "dev_1"}, "environment", "'dev_1'"),
    ({"environment": ""}, "environment", "''"),
    ({"environment": "a" * 17}, "environment", "a" * 17),
    ({"code_key": "lambda/api.tar"}, "code_key", "'lambda/api.tar'"),
    ({"read_capacity": 0}, "read_capacity", "0"),
    ({"write_capacity": -5}, "write_capacity", "-5"),
    ({"read_capacity": "5"}, "read_capacity", "'5'"),
    ({"read_capacity": True}, "read_capacity", "True"),
    ({"runtime": "python3.9"}, "runtime", "'python3.9'"),
    ({"architecture": "sparc"}, "architecture", "'sparc'"),
    ({"memory_mb": 64}, "memory_mb", "64"),
    ({"timeout_seconds": 30}, "timeout_seconds", "30"),
    ({"log_retention_days": 15}, "log_retention_days", "15"),
    ({"retain_data": "yes"}, "retain_data", "'yes'"),
    ({"cors_origin": "https://a.example.com/path"}, "cors_origin", "/path"),
    ({"cors_origin": "example.com"}, "cors_origin", "'example.com'"),
    ({"throttle_rate_limit": 0}, "throttle_rate_limit", "0"),
    ({"throttle_burst_limit": 1.5}, "throttle_burst_limit", "1.5"),
    ({"alarm_email": "not-an-email"}, "alarm_email", "'not-an-email'"),
    ({"alarm_topic_arn": "arn:aws:sns:us-west-2:1234:x"}, "alarm_topic_arn", "1234:x"),
    ({"alarm_topic_arn": "arn:aws:sqs:us-west-2:123456789012:q"}, "alarm_topic_arn", "sqs"),
    ({"autoscaling_target_utilization": 95}, "autoscaling_target_utilization", "95"),
    ({"autoscaling": True, "autoscaling_max_read": 2}, "autoscaling_max_read", "2"),
    ({"deploy_strategy": "Canary50Percent5Minutes"}, "deploy_strategy",
     "'Canary50Percent5Minutes'"),
    ({"deploy_strategy": "CodeDeployDefault.AllAtOnce"}, "deploy_strategy",
     "'CodeDeployDefault.AllAtOnce'"),
    ({"deploy_strategy": True}, "deploy_strategy", "True"),
    ({"read_capcity": 5}, "read_capcity", "'read_capcity'"),
]


@pytest.mark.parametrize("change,key,value", BAD_CONFIGS,
                         ids=[f"{c[1]}={list(c[0].values())[0]!r}"[:40] for c in BAD_CONFIGS])
def test_bad_config_is_rejected_naming_key_and_value(change, key, value):
    with pytest.raises(ConfigError) as raised:
        parse_config({**GOOD, **change})
    assert key in str(raised.value) and value in str(raised.value)


@pytest.mark.parametrize("missing", ["environment", "code_key"])
def test_required_keys(missing):
    with pytest.raises(ConfigError, match=missing):
        parse_config({k: v for k, v in GOOD.items() if k != missing})


def test_not_a_mapping():
    with pytest.raises(ConfigError, match="mapping"):
        parse_config(None)


@pytest.mark.parametrize("subscriber", [
    {"alarm_email": "oncall@example.com"},
    {"alarm_topic_arn": "arn:aws:sns:us-west-2:123456789012:team-paging"},
    {"alarm_topic_arn": "arn:aws-cn:sns:cn-north-1:123456789012:team-paging"},
])
def test_retained_data_needs_an_alarm_subscriber(subscriber):
    with pytest.raises(ConfigError) as raised:
        parse_config({**GOOD, "retain_data": True})
    assert "alarm_email" in str(raised.value) and "alarm_topic_arn" in str(raised.value)
    assert parse_config({**GOOD, "retain_data": True, **subscriber}).retain_data


def test_prod_without_a_subscriber_fails_sceptre_generate_naming_the_keys(tmp_path):
    project = copy_project(tmp_path)
    api = settings_file(project, "prod")
    text = api.read_text()
    assert "\n  alarm_email: " in text
    api.write_text(text.replace("\n  alarm_email: ", "\n  # alarm_email: "))
    result = sceptre("--ignore-dependencies", "generate", "prod/api.yaml", cwd=project,
                     check=False)
    output = result.stdout + result.stderr
    assert result.returncode != 0 and "Traceback" not in output
    assert "alarm_email" in output and "alarm_topic_arn" in output


def test_config_is_frozen_with_defaults():
    cfg = parse_config(GOOD)
    assert (cfg.read_capacity, cfg.write_capacity, cfg.runtime) == (5, 5, "python3.14")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cfg.read_capacity = 1  # type: ignore[misc]


def test_dev_and_prod_render_in_one_process_without_shared_state():
    dev = parse_config(GOOD)
    prod = parse_config({**GOOD, "environment": "prod", "retain_data": True,
                         "alarm_email": "oncall@example.com"})
    first = build_template(dev).to_json()
    other = build_template(prod).to_json()
    assert build_template(dev).to_json() == first
    assert first != other and "'prod'" in json.loads(other)["Description"]


def _region(path: Path) -> str | None:
    found = re.search(r"^region: *(\S+)$", path.read_text(), re.MULTILINE)
    return found.group(1) if found else None


def test_stack_tags_and_region_per_environment():
    """Every environment's stacks: tagged with its name, in config/config.yaml's region
    unless the folder's config.yaml names its own (read from the files themselves)."""
    project_region = _region(REPO / "config" / "config.yaml")
    assert project_region
    for env in ENVIRONMENTS:
        region = _region(REPO / "config" / env / "config.yaml") or project_region
        for stack in ("api", "artifacts"):
            out = sceptre("--ignore-dependencies", "--output", "json", "dump", "config",
                          f"{env}/{stack}.yaml").stdout
            config = json.loads(out[out.index("{"):])
            assert config["region"] == region
            assert config["stack_tags"] == {"Environment": env}
            assert config["required_version"] == "==4.7.0"


def test_api_stack_depends_on_its_artifacts_stack_for_launch():
    for env in ENVIRONMENTS:
        out = sceptre("--output", "json", "dump", "config", f"{env}/api.yaml").stdout
        docs = out.replace("}\n{", "}\n\x00{").split("\x00")
        names = [json.loads(doc)["template"]["path"] for doc in docs]
        assert names == ["artifacts.py", "api.py"], "artifacts first, as launch orders them"
        api = json.loads(docs[-1])
        assert api["parameters"]["ArtifactBucket"] == (
            f"!StackOutputLaunch({env}/artifacts.yaml::BucketName)")


def test_bad_value_fails_sceptre_generate_with_one_clear_line(tmp_path):
    project = copy_project(tmp_path)
    edit(settings_file(project, "dev"), "sceptre_user_data:\n",
         "sceptre_user_data:\n  read_capacity: 0\n")
    result = sceptre("--ignore-dependencies", "generate", "dev/api.yaml", cwd=project,
                     check=False)
    assert result.returncode != 0
    assert "sceptre_user_data.read_capacity" in result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr


def test_a_new_environment_is_a_folder_copy(tmp_path):
    """Copy an environment's folder: the new one takes its name from the folder (stage,
    physical names, tags) and its settings from the copy."""
    project = copy_project(tmp_path)
    shutil.copytree(project / "config" / "prod", project / "config" / "qa")
    template = generate("qa/api.yaml", cwd=project)
    assert "'qa'" in template["Description"]
    assert template["Resources"]["ApiStage"]["Properties"]["StageName"] == "qa"
    assert template["Resources"]["DataTable"]["Properties"]["TableName"].endswith("-qa-items")
    out = sceptre("--ignore-dependencies", "--output", "json", "dump", "config", "qa/api.yaml",
                  cwd=project).stdout
    assert json.loads(out[out.index("{"):])["stack_tags"] == {"Environment": "qa"}
