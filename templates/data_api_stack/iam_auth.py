"""`auth: iam`: SigV4 callers; managed policies a caller's role attaches.

The gateway evaluates the caller's IAM policies against the method's execute-api
ARN, so readers and writers are told apart at the gateway, per collection too:
- ReaderPolicy / WriterPolicy, the API-wide roles: every GET method / every method of
  the stage, or, where a collection's `access` says less, exactly the methods left;
- <Collection>ReaderPolicy / <Collection>WriterPolicy: one collection's GET methods /
  every data method, on their exact ARNs.
`iam_account_ids` adds a resource policy that refuses every account not listed (the
stack's own account included, unless listed).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from awacs import execute_api
from awacs.aws import (AWSPrincipal, Allow, Condition, Deny, PolicyDocument, Principal,
                       Statement, StringNotEquals)
from troposphere import iam

from data_api import authz, routes
from data_api.collection_env import NONE, READ, WRITE
from data_api_stack import ids
from data_api_stack.collection import Collection, collection_paths
from data_api_stack.config import StackConfig

# In a resource policy API Gateway expands "execute-api:/" to this API's ARN.
THIS_API = "execute-api:/*"


def _methods(collections: Sequence[Collection], verbs: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, verb) of the collections' routes whose verb is in `verbs`, from the route
    model."""
    return [(path, verb) for path, allowed in routes.routes(
        collection_paths(tuple(collections))).items() for verb in allowed if verb in verbs]


def _policy(cfg: StackConfig, logical_id: str, what: str,
            resources: list[Any]) -> iam.ManagedPolicy:
    # The Description is create-only (a change replaces the policy, and its ARN that
    # callers' roles attach): the API-wide ones keep theirs.
    return iam.ManagedPolicy(
        logical_id,
        Description=f"Lets a caller {what} the {cfg.environment} data API (SigV4)",
        PolicyDocument=PolicyDocument(Version="2012-10-17", Statement=[Statement(
            Sid="InvokeDataMethods", Effect=Allow, Action=[execute_api.Invoke],
            Resource=resources)]))


# The data methods each right calls: read the GET methods, write every one.
VERBS = {NONE: (), READ: routes.READ_METHODS, WRITE: routes.READ_METHODS + routes.WRITE_METHODS}


def _arns(collection: Collection, level: str, method_arn: Callable[[str, str], Any]) -> list[Any]:
    """The exact method ARNs of what `level` allows on `collection`."""
    return [method_arn(path, verb) for path, verb in _methods([collection], VERBS[level])]


def collection_policies(cfg: StackConfig, collection: Collection,
                        method_arn: Callable[[str, str], Any]) -> list[iam.ManagedPolicy]:
    """A collection's own reader (its GET methods) and writer (every data method) policies,
    on the exact method ARNs (named by the collection, not its path: a Description
    cannot change in place)."""
    return [_policy(cfg, f"{collection.camel}{name}Policy",
                    f"{what} the {collection.name} collection of",
                    _arns(collection, level, method_arn))
            for name, what, level in (("Reader", "read", READ),
                                      ("Writer", "read and write", WRITE))]


def _api_wide(cfg: StackConfig, role: str, method_arn: Callable[[str, str], Any]) -> list[Any]:
    """What the API-wide readers or writers may call. Where every collection leaves them
    their full right (`access`'s default): every GET method (`<stage>/GET/*`), or every
    method (`<stage>/*`), of this stage. Else each collection's methods they may call,
    by exact ARN: no `*` before a path, which would match across `/` into another
    collection's item routes (IAM's ArnLike: `*/orders` matches `PUT/payroll/orders`).
    Allow only, no Deny: a caller's rights add up over the policies it attaches."""
    full = READ if role == "readers" else WRITE
    if all(getattr(c.access, role) == full for c in cfg.collections):
        return [method_arn("/*", "GET") if role == "readers" else method_arn("", "*")]
    found = [arn for collection in cfg.collections
             for arn in _arns(collection, getattr(collection.access, role), method_arn)]
    # No right on any collection: the preflights only, which need none (AuthorizationType
    # NONE), so the policy, and its ARN that roles attach, stays.
    return found or [method_arn("/*", "OPTIONS")]


def build_policies(cfg: StackConfig,
                   method_arn: Callable[[str, str], Any]) -> list[iam.ManagedPolicy]:
    """The API-wide reader and writer policies, then each collection's own two."""
    return [
        _policy(cfg, ids.READER_POLICY, "read", _api_wide(cfg, "readers", method_arn)),
        _policy(cfg, ids.WRITER_POLICY, "read and write", _api_wide(cfg, "writers", method_arn)),
        *(policy for collection in cfg.collections
          for policy in collection_policies(cfg, collection, method_arn)),
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
