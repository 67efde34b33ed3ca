"""`auth: iam`: SigV4 callers; two managed policies a caller's role attaches.

The gateway evaluates the caller's IAM policies against the method's execute-api
ARN, so readers and writers are told apart at the gateway: the read-only policy
names only the GET methods' ARNs. `iam_account_ids` adds a resource policy that
refuses every account not listed (the stack's own account included, unless listed).
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from awacs import execute_api
from awacs.aws import (AWSPrincipal, Allow, Condition, Deny, PolicyDocument, Principal,
                       Statement, StringNotEquals)
from troposphere import iam

from data_api import authz, routes
from data_api_stack import ids
from data_api_stack.collection import collection_paths
from data_api_stack.config import StackConfig

# In a resource policy API Gateway expands "execute-api:/" to this API's ARN.
THIS_API = "execute-api:/*"


def data_methods(cfg: StackConfig, verbs: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, verb) of every collection's route whose verb is in `verbs`, from the route
    model."""
    return [(path, verb) for path, allowed in routes.routes(
        collection_paths(cfg.collections)).items() for verb in allowed if verb in verbs]


def _policy(cfg: StackConfig, logical_id: str, what: str, verbs: tuple[str, ...],
            method_arn: Callable[[str, str], Any]) -> iam.ManagedPolicy:
    return iam.ManagedPolicy(
        logical_id,
        Description=f"Lets a caller {what} the {cfg.environment} data API (SigV4)",
        PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=[Statement(
            Sid="InvokeDataMethods", Effect=Allow, Action=[execute_api.Invoke],
            Resource=[method_arn(path, verb) for path, verb in data_methods(cfg, verbs)])]))


def build_policies(cfg: StackConfig,
                   method_arn: Callable[[str, str], Any]) -> list[iam.ManagedPolicy]:
    """Read-only (GET methods) and read-write (every data method) managed policies."""
    return [
        _policy(cfg, ids.READER_POLICY, "read", routes.READ_METHODS, method_arn),
        _policy(cfg, ids.WRITER_POLICY, "read and write",
                routes.READ_METHODS + routes.WRITE_METHODS, method_arn),
    ]


def resource_policy(cfg: StackConfig) -> Optional[dict[str, Any]]:
    if not cfg.iam_account_ids:
        return None
    accounts = list(cfg.iam_account_ids)
    return PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Sid="ListedAccounts", Effect=Allow,
                  Principal=AWSPrincipal(accounts), Action=[execute_api.Invoke],
                  Resource=[THIS_API]),
        Statement(Sid="NoOtherAccount", Effect=Deny, Principal=Principal("*"),
                  Action=[execute_api.Invoke], Resource=[THIS_API],
                  Condition=Condition(StringNotEquals("aws:PrincipalAccount", accounts))),
    ]).JSONrepr()  # troposphere types RestApi.Policy as a plain dict


def function_env() -> dict[str, Any]:
    return {authz.ENV_MODE: authz.IAM}
