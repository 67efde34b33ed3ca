"""The limits one stack must stay under, checked before anything reaches AWS.

Each collection adds resources (a table, its routes, alarms, scaling, rights) to the
one API stack, so a long `collections` mapping meets AWS's fixed limits. `sceptre
generate` refuses such a config in one line naming the limit, the count and how many
of the collections fit, instead of a launch that fails half-way.

What one collection costs and what is shared (one invoke permission, the body models
of collections without a schema, one dashboard) is measured by `make bench`
(bench/collections.py). The Lambda environment's 4 KB is checked where it is built
(function.py) and raises the same error.
"""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass
from typing import Any, Callable, Sequence

from troposphere import (AWSObject, GetAtt, Output, Sub, apigateway, cloudwatch, cognito,
                         dynamodb, iam)

from data_api_stack import render
from data_api_stack.collection import KEY
from data_api_stack.config import StackConfig
from data_api_stack.parsers import ConfigError

# A deploy-time value in an IAM policy at its longest: AWS::Partition (aws-us-gov),
# AWS::Region (ap-southeast-1), AWS::AccountId, a REST API id.
_LONGEST = {"AWS::Partition": 10, "AWS::Region": 14, "AWS::AccountId": 12, "Api": 10}


class LimitError(ConfigError):
    """A config that renders a stack over AWS's limits: each (what, count, maximum) it
    breaks, the first one named; with `fit`, how many of its `total` collections fit."""

    def __init__(self, broken: Sequence[tuple[str, int, int]], hint: str = "",
                 fit: int | None = None, total: int | None = None) -> None:
        self.broken, self.hint, self.fit = tuple(broken), hint, fit
        what, count, maximum = self.broken[0]
        over = f"{count} {what}, over the limit of {maximum}{hint}"
        if fit is None:
            message = f"this stack would have {over}"
        elif fit:
            message = (f"{fit} of these {total} collections fit one stack (the first {fit}); "
                       f"with {fit + 1} it would have {over}: move the others to another "
                       "stack")
        else:
            message = f"not even the first collection fits one stack: it would have {over}"
        super().__init__(f"sceptre_user_data.{KEY}: {message}")


@dataclass(frozen=True)
class Limit:
    what: str  # "resources (CloudFormation, per stack)": the unit and whose limit
    maximum: int
    measure: Callable[[Sequence[AWSObject], Sequence[Output]], int]


def _of_type(resources: Sequence[AWSObject], kind: type) -> list[Any]:
    return [r for r in resources if isinstance(r, kind)]


def _policy_characters(document: Any, tables: dict[str, int]) -> int:
    """An IAM policy's size as IAM counts it (no whitespace): deploy-time values at their
    longest; a table's ARN (`tables`: logical ID -> the length of its name) in full. One
    pass: each Fn::Sub and Fn::GetAtt becomes a string of that length as it is met."""
    arn = len("arn:") + sum(_LONGEST[k] for k in ("AWS::Partition", "AWS::Region",
                                                   "AWS::AccountId")) + len(":dynamodb:::table/")

    def length(name: str) -> int:
        table = name.removesuffix(".Arn")
        return arn + tables[table] if name.endswith(".Arn") and table in tables \
            else _LONGEST.get(name, 64)

    def deployed(value: Any) -> Any:
        if isinstance(value, Sub):
            text = value.data["Fn::Sub"]
            return re.sub(r"\$\{([\w:.]+)\}", lambda m: "x" * length(m.group(1)),
                          text[0] if isinstance(text, list) else text)
        if isinstance(value, GetAtt):
            return "x" * length(".".join(value.data["Fn::GetAtt"]))
        return render.plain(value)
    return len(json.dumps(document, default=deployed, separators=(",", ":")))


def _tables(resources: Sequence[AWSObject]) -> dict[str, int]:
    return {t.title: len(t.TableName) for t in _of_type(resources, dynamodb.Table)
            if isinstance(t.properties.get("TableName"), str)}


def _largest_role_policies(resources: Sequence[AWSObject], _: Sequence[Output]) -> int:
    tables = _tables(resources)
    return max((sum(_policy_characters(p.PolicyDocument, tables)
                    for p in role.properties.get("Policies", []))
                for role in _of_type(resources, iam.Role)), default=0)


def _largest_policy(resources: Sequence[AWSObject], _: Sequence[Output]) -> int:
    tables = _tables(resources)
    return max((_policy_characters(p.PolicyDocument, tables)
                for p in _of_type(resources, iam.ManagedPolicy)), default=0)


def _alarm_rule(resources: Sequence[AWSObject], _: Sequence[Output]) -> int:
    return max((len(a.AlarmRule) for a in _of_type(resources, cloudwatch.CompositeAlarm)),
               default=0)


def _alarm_rule_alarms(resources: Sequence[AWSObject], _: Sequence[Output]) -> int:
    return max((a.AlarmRule.count("ALARM(") for a in
                _of_type(resources, cloudwatch.CompositeAlarm)), default=0)


def _client_scopes(resources: Sequence[AWSObject], _: Sequence[Output]) -> int:
    return max((len(c.properties.get("AllowedOAuthScopes", []))
                for c in _of_type(resources, cognito.UserPoolClient)), default=0)


def _server_scopes(resources: Sequence[AWSObject], _: Sequence[Output]) -> int:
    return max((len(s.properties.get("Scopes", []))
                for s in _of_type(resources, cognito.UserPoolResourceServer)), default=0)


LIMITS = (
    # CloudFormation quotas (User Guide, cloudformation-limits): not adjustable.
    Limit("resources (CloudFormation, per stack)", 500, lambda r, o: len(r)),
    Limit("outputs (CloudFormation, per stack)", 200, lambda r, o: len(o)),
    # API Gateway quotas for REST APIs: resources per API, the root `/` included;
    # 300 by default (adjustable on request, per API).
    Limit("API Gateway resources (per REST API, default quota)", 300,
          lambda r, o: len(_of_type(r, apigateway.Resource)) + 1),
    # IAM quotas: a managed policy's document, and a role's inline policies together,
    # whitespace not counted (the function's role names every table and index).
    Limit("characters in an IAM managed policy (IAM)", 6144, _largest_policy),
    Limit("characters in a role's inline policies (IAM)", 10240, _largest_role_policies),
    # CloudWatch PutCompositeAlarm: a rule of at most 10,240 characters, naming at most
    # 100 underlying alarms.
    Limit("alarms in the paging composite alarm (CloudWatch)", 100, _alarm_rule_alarms),
    Limit("characters in the paging composite alarm's rule (CloudWatch)", 10240, _alarm_rule),
    # Cognito quotas: custom scopes per resource server; OAuth scopes per app client.
    Limit("scopes on one app client (Cognito)", 50, _client_scopes),
    Limit("scopes on the resource server (Cognito)", 100, _server_scopes),
)


def check(resources: Sequence[AWSObject], outputs: Sequence[Output]) -> None:
    """Raise LimitError if these resources and outputs break any limit."""
    counts = ((limit, limit.measure(resources, outputs)) for limit in LIMITS)
    broken = [(limit.what, count, limit.maximum) for limit, count in counts
              if count > limit.maximum]
    if broken:
        raise LimitError(broken)


def _first(cfg: StackConfig, count: int) -> StackConfig:
    """cfg with its first `count` collections (and the machine clients' rights on them)."""
    kept = cfg.collections[:count]
    names = {c.name for c in kept}
    clients = tuple(dataclasses.replace(client, rights=rights) for client in cfg.machine_clients
                    for rights in [tuple(r for r in client.rights if r[0] in names)] if rights)
    return dataclasses.replace(cfg, collections=kept, machine_clients=clients)


def explained(cfg: StackConfig, error: LimitError,
              build: Callable[[StackConfig], Any]) -> LimitError:
    """`error` (cfg's) as how many of cfg's collections, in their order, one stack holds:
    the longest first few `build` renders without a LimitError (every limit grows with
    collections), and the limit one more breaks, with its count there. If fewer
    collections are a config error of another kind, `error` as it is: no count is
    better than a wrong one."""
    fits, over, first_broken = 0, len(cfg.collections), error
    try:
        while over - fits > 1:
            middle = (fits + over) // 2
            try:
                build(_first(cfg, middle))
                fits = middle
            except LimitError as broken:
                over, first_broken = middle, broken
        if over == len(cfg.collections) and fits + 1 < over:
            try:  # the stack of fits + 1 collections: the limit that stops it, its count
                build(_first(cfg, fits + 1))
            except LimitError as broken:
                first_broken = broken
    except ConfigError:
        return error
    return LimitError(first_broken.broken, first_broken.hint, fits, len(cfg.collections))
