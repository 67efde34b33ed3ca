"""`!stack_protection` as config/<env>/api.yaml wires it: the exact CloudFormation calls
Sceptre's connection makes (botocore's Stubber, through Sceptre's own ConnectionManager.call)
at create, update and delete, on the stacks Sceptre builds from config/."""

from __future__ import annotations

import json
from typing import Any, Iterator

import boto3
import pytest
from botocore.stub import ANY, Stubber
from sceptre.context import SceptreContext
from sceptre.exceptions import InvalidHookArgumentValueError, SceptreException
from sceptre.hooks import execute_hooks
from sceptre.plan.plan import SceptrePlan

from stack_protection.policy import PROTECTED_TYPES, UNPROTECT_ENV
from tests.helpers import REGION, REPO

NAMES = {"dev": "serverless-data-api-dev-api", "prod": "serverless-data-api-prod-api"}


def _stack(env: str) -> Any:
    plan = SceptrePlan(SceptreContext(str(REPO), f"{env}/api.yaml"))
    (stack,) = [s for s in plan.graph if s.name == f"{env}/api"]
    return stack


@pytest.fixture()
def stacks(aws_credentials) -> Iterator[tuple[dict[str, Any], Stubber]]:
    """dev's and prod's API stacks, their CloudFormation calls going to one stubbed client."""
    client = boto3.client("cloudformation", region_name=REGION)
    found = {env: _stack(env) for env in NAMES}
    for stack in found.values():
        stack.connection_manager._get_client = lambda *args, **kwargs: client
    with Stubber(client) as stub:
        yield found, stub
        stub.assert_no_pending_responses()


def _ours(stack: Any, point: str) -> list[Any]:
    """The stack's hooks at this point that are !stack_protection (not !package_lambda,
    which would build and upload the code)."""
    return [h for h in stack.hooks.get(point, []) if type(h).__name__ == "StackProtection"]


def _described(stub: Stubber, env: str, status: str, protected: bool) -> None:
    stub.add_response("describe_stacks", {"Stacks": [{
        "StackName": NAMES[env], "StackId": f"arn:aws:cloudformation:{REGION}:111122223333:"
        f"stack/{NAMES[env]}/1", "CreationTime": "2026-01-01T00:00:00Z",
        "StackStatus": status, "EnableTerminationProtection": protected}]},
        {"StackName": NAMES[env]})


def _policy_set(stub: Stubber, env: str) -> None:
    stub.add_response("set_stack_policy", {}, {"StackName": NAMES[env],
                                               "StackPolicyBody": ANY})


def test_config_wires_the_hook_at_create_update_and_delete():
    stack = _stack("prod")
    for point, argument in (("after_create", "apply"), ("before_update", "prepare_update"),
                            ("after_update", "apply"),
                            ("before_execute_change_set", "prepare_update"),
                            ("after_execute_change_set", "apply"),
                            ("before_delete", "guard_delete")):
        assert [h.argument for h in _ours(stack, point)] == [argument], point
    # Before the packaging hook: a bad DATA_API_UNPROTECT stops the launch first.
    assert type(stack.hooks["before_update"][0]).__name__ == "StackProtection"


def test_after_create_prod_gets_its_policy_then_termination_protection(stacks):
    found, stub = stacks
    _described(stub, "prod", "CREATE_COMPLETE", False)
    _policy_set(stub, "prod")
    stub.add_response("update_termination_protection", {"StackId": "x"}, {
        "StackName": NAMES["prod"], "EnableTerminationProtection": True})
    execute_hooks(_ours(found["prod"], "after_create"))


def test_a_creation_that_rolled_back_stays_deletable(stacks):
    found, stub = stacks
    _described(stub, "prod", "ROLLBACK_COMPLETE", False)
    execute_hooks(_ours(found["prod"], "after_create"))


def test_after_update_the_full_policy_is_back_and_protection_is_not_asked_twice(stacks):
    found, stub = stacks
    _described(stub, "prod", "UPDATE_COMPLETE", True)
    _policy_set(stub, "prod")
    execute_hooks(_ours(found["prod"], "after_update"))


def test_dev_without_retain_data_is_left_alone(stacks):
    found, _ = stacks  # no stubbed response: any call would fail the test
    for point in ("after_create", "before_update", "after_update"):
        execute_hooks(_ours(found["dev"], point))


def _policy_of_next_update(stub: Stubber, found: dict) -> dict:
    calls: list[dict] = []
    stub.client.meta.events.register("before-parameter-build.cloudformation.SetStackPolicy",
                                     lambda params, **_: calls.append(params))
    _policy_set(stub, "prod")
    execute_hooks(_ours(found["prod"], "before_update"))
    (call,) = calls
    return json.loads(call["StackPolicyBody"])


def _denials(policy: dict) -> list[dict]:
    return [s for s in policy["Statement"] if s["Effect"] == "Deny"]


def test_an_update_runs_under_the_full_policy(stacks, monkeypatch):
    found, stub = stacks
    monkeypatch.delenv(UNPROTECT_ENV, raising=False)
    policy = _policy_of_next_update(stub, found)
    assert {"Effect": "Allow", "Action": "Update:*", "Principal": "*",
            "Resource": "*"} in policy["Statement"]
    (deny,) = _denials(policy)
    assert sorted(deny["Action"]) == ["Update:Delete", "Update:Replace"]
    assert deny["Resource"] == "*" and "NotResource" not in deny
    types = deny["Condition"]["StringEquals"]["ResourceType"]
    assert {"AWS::DynamoDB::Table", "AWS::Cognito::UserPool", "AWS::KMS::Key"} <= set(types)


def test_one_launch_may_lift_it_for_named_resources(stacks, monkeypatch):
    found, stub = stacks
    monkeypatch.setenv(UNPROTECT_ENV, "OrdersTable, UserPool")
    at_exit: list = []
    monkeypatch.setattr("atexit.register", at_exit.append)
    (deny,) = _denials(_policy_of_next_update(stub, found))
    assert deny["NotResource"] == ["LogicalResourceId/OrdersTable", "LogicalResourceId/UserPool"]
    assert "Resource" not in deny
    # When the command ends, however the update went, the full policy is back.
    (restore,) = at_exit
    calls: list[dict] = []
    stub.client.meta.events.register("before-parameter-build.cloudformation.SetStackPolicy",
                                     lambda params, **_: calls.append(params))
    _policy_set(stub, "prod")
    restore()
    (deny,) = _denials(json.loads(calls[-1]["StackPolicyBody"]))
    assert deny["Resource"] == "*" and "NotResource" not in deny


def test_unprotect_on_a_stack_that_keeps_no_data_is_a_warning_and_no_call(stacks, monkeypatch,
                                                                          caplog):
    found, _ = stacks
    monkeypatch.setenv(UNPROTECT_ENV, "DataTable")
    execute_hooks(_ours(found["dev"], "before_update"))
    assert "DATA_API_UNPROTECT ignored" in caplog.text


def test_a_bad_unprotect_value_is_refused_before_any_call_or_packaging(stacks, monkeypatch):
    found, _ = stacks
    monkeypatch.setenv(UNPROTECT_ENV, "Orders-Table")
    with pytest.raises(InvalidHookArgumentValueError, match="'Orders-Table' is not a logical"):
        execute_hooks(_ours(found["prod"], "before_update"))


def test_delete_of_a_protected_stack_is_refused_saying_how_to_proceed(stacks):
    found, stub = stacks
    _described(stub, "prod", "UPDATE_COMPLETE", True)
    with pytest.raises(SceptreException) as refused:
        execute_hooks(_ours(found["prod"], "before_delete"))
    message = str(refused.value)
    assert "termination protection is on" in message and "\n" not in message
    assert (f"aws cloudformation update-termination-protection --stack-name {NAMES['prod']} "
            f"--region {REGION} --no-enable-termination-protection") in message
    assert "`sceptre delete prod/api.yaml`" in message


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_delete_goes_ahead_once_protection_is_off_or_the_stack_is_gone(stacks, env):
    found, stub = stacks
    _described(stub, env, "UPDATE_COMPLETE", False)
    execute_hooks(_ours(found[env], "before_delete"))
    stub.add_client_error("describe_stacks", "ValidationError",
                          f"Stack with id {NAMES[env]} does not exist",
                          expected_params={"StackName": NAMES[env]})
    execute_hooks(_ours(found[env], "before_delete"))


def test_every_resource_prod_retains_is_covered_but_logs(prod_template):
    """The template says which resources hold data (DeletionPolicy Retain); every one of
    them but log groups is of a type the policy protects."""
    retained = {r["Type"] for r in prod_template["Resources"].values()
                if r.get("DeletionPolicy") == "Retain"}
    assert "AWS::DynamoDB::Table" in retained
    assert retained - {"AWS::Logs::LogGroup"} <= set(PROTECTED_TYPES)
    present = {r["Type"] for r in prod_template["Resources"].values()}
    assert {"AWS::Cognito::UserPool", "AWS::KMS::Key"} <= present
