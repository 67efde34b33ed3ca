"""Alarms: AWS's recommended set for API Gateway, Lambda and DynamoDB, tuned here.

Member alarms carry no actions; one CompositeAlarm (OR of the paging alarms)
notifies the topic, so an incident pages once while members stay for diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence
from troposphere import AWSObject, GetAtt, Ref, Sub, apigateway, awslambda, cloudwatch
from troposphere.dynamodb import Table
from troposphere.sns import Topic

from data_api import permissions
from data_api_stack.collection import Collection
from data_api_stack.config import StackConfig
from data_api_stack.function import LIVE_ALIAS

COMPOSITE = "PagingCompositeAlarm"
API_5XX = "Api5xxAlarm"
MINUTE = 60


@dataclass(frozen=True)
class AlarmSpec:
    logical_id: str
    namespace: str
    metric: str
    dimensions: dict[str, object]
    stat: str  # Sum, Average, or pNN
    evaluations: int
    threshold: float
    comparison: str
    description: str
    paging: bool = True


def _alarm(cfg: StackConfig, spec: AlarmSpec) -> cloudwatch.Alarm:
    percentile = spec.stat.startswith("p")
    return cloudwatch.Alarm(
        spec.logical_id,
        AlarmName=f"{cfg.resource_prefix}-{spec.logical_id}",
        AlarmDescription=spec.description,
        Namespace=spec.namespace,
        MetricName=spec.metric,
        Dimensions=[cloudwatch.MetricDimension(Name=k, Value=v)
                    for k, v in spec.dimensions.items()],
        **({"ExtendedStatistic": spec.stat} if percentile else {"Statistic": spec.stat}),
        Period=MINUTE,
        EvaluationPeriods=spec.evaluations,
        DatapointsToAlarm=spec.evaluations,
        Threshold=spec.threshold,
        ComparisonOperator=spec.comparison,
        # No traffic is not trouble: a quiet API must not page.
        TreatMissingData="notBreaching",
    )


def _system_errors_alarm(cfg: StackConfig, collection: Collection,
                         table: Table) -> cloudwatch.Alarm:
    """SystemErrors exists only per Operation: sum the operations the handler uses on
    this table (Query where it has indexes): at most 10, a metric-math alarm's limit."""
    queries = [cloudwatch.MetricDataQuery(
        Id=f"m{n}", ReturnData=False, MetricStat=cloudwatch.MetricStat(
            Stat="Sum", Period=MINUTE, Metric=cloudwatch.Metric(
                Namespace="AWS/DynamoDB", MetricName="SystemErrors", Dimensions=[
                    cloudwatch.MetricDimension(Name="TableName", Value=Ref(table)),
                    cloudwatch.MetricDimension(Name="Operation", Value=operation)])))
        for n, operation in enumerate(
            permissions.DYNAMODB_ACTIONS + permissions.TRANSACTION_OPERATIONS
            + (permissions.INDEX_ACTIONS if collection.indexes else ()))]
    total = cloudwatch.MetricDataQuery(
        Id="errors", Label="SystemErrors (all operations)", ReturnData=True,
        Expression="SUM([" + ",".join(q.Id for q in queries) + "])")
    logical_id = collection.table_part_id("SystemErrorsAlarm")
    return cloudwatch.Alarm(
        logical_id,
        AlarmName=f"{cfg.resource_prefix}-{logical_id}",
        AlarmDescription=(f"DynamoDB returned 5xx errors{_on(collection)}: check the AWS "
                          "Health Dashboard for DynamoDB in this region, then the function's "
                          "error logs."),
        Metrics=[*queries, total], EvaluationPeriods=3, DatapointsToAlarm=3, Threshold=0,
        ComparisonOperator="GreaterThanThreshold", TreatMissingData="notBreaching")


def _on(collection: Collection) -> str:
    """Which table an alarm is about; the default collection's predate collections."""
    return "" if collection.is_default else f" on the {collection.name} table"


def table_alarm_specs(cfg: StackConfig, collection: Collection, table: Table) -> list[AlarmSpec]:
    """Throttles on every table; capacity where it is fixed (provisioned, no auto scaling)."""
    table_dims = {"TableName": Ref(table)}
    on = _on(collection)
    specs = [
        AlarmSpec(collection.table_part_id("ReadThrottlesAlarm"), "AWS/DynamoDB",
                  "ReadThrottleEvents", table_dims, "Sum", 5, 1, "GreaterThanOrEqualToThreshold",
                  f"Reads throttled{on} for 5 minutes: raise read capacity or auto scaling's "
                  "max; look for a client walking every page."),
        AlarmSpec(collection.table_part_id("WriteThrottlesAlarm"), "AWS/DynamoDB",
                  "WriteThrottleEvents", table_dims, "Sum", 5, 1,
                  "GreaterThanOrEqualToThreshold",
                  f"Writes throttled{on} for 5 minutes: raise write capacity or auto scaling's "
                  "max."),
    ]
    if collection.provisioned and not cfg.autoscaling:
        # Auto scaling moves capacity (and on-demand has none): a fixed 80 % line would be wrong.
        for kind, capacity in (("Read", cfg.read_capacity), ("Write", cfg.write_capacity)):
            specs.append(AlarmSpec(
                collection.table_part_id(f"{kind}CapacityAlarm"), "AWS/DynamoDB",
                f"Consumed{kind}CapacityUnits", table_dims, "Sum", 5, 0.8 * capacity * MINUTE,
                "GreaterThanOrEqualToThreshold",
                f"Consumed {kind.lower()} capacity{on} at 80% of the provisioned {capacity} for "
                f"5 minutes: throttling is next; raise {kind.lower()}_capacity or enable "
                "autoscaling in the env config."))
    return specs


def alarm_specs(cfg: StackConfig, api: apigateway.RestApi, fn: awslambda.Function,
                tables: Sequence[Table]) -> list[AlarmSpec]:
    api_dims = {"ApiName": api.Name, "Stage": cfg.environment}
    fn_dims = {"FunctionName": Ref(fn)}
    duration_ms = 0.8 * cfg.timeout_seconds * 1000
    specs = [
        AlarmSpec(API_5XX, "AWS/ApiGateway", "5XXError", api_dims, "Average", 3,
                  cfg.api_5xx_rate, "GreaterThanThreshold",
                  "Over {:.0%} of requests failed with 5xx for 3 minutes: look at the function's "
                  "Errors alarm and its logs first, then DynamoDB throttles.".format(
                      cfg.api_5xx_rate)),
        AlarmSpec("ApiLatencyP90Alarm", "AWS/ApiGateway", "Latency", api_dims, "p90", 5,
                  cfg.api_latency_p90_ms, "GreaterThanThreshold",
                  f"p90 latency over {cfg.api_latency_p90_ms} ms for 5 minutes: compare with "
                  "the function's Duration; if that is low, look at API Gateway throttling."),
        AlarmSpec("Api4xxAlarm", "AWS/ApiGateway", "4XXError", api_dims, "Average", 5,
                  cfg.api_4xx_rate, "GreaterThanThreshold",
                  "Warning only: many client errors; check the access log's status and path "
                  "for a broken client or a scan.", paging=False),
        AlarmSpec("FunctionErrorsAlarm", "AWS/Lambda", "Errors", fn_dims, "Sum", 3, 0,
                  "GreaterThanThreshold",
                  "The function raised or timed out for 3 minutes: read its ERROR log lines "
                  "(request id on each) and the X-Ray traces."),
        AlarmSpec("FunctionThrottlesAlarm", "AWS/Lambda", "Throttles", fn_dims, "Sum", 5, 1,
                  "GreaterThanOrEqualToThreshold",
                  f"Invocations throttled for 5 minutes: ConcurrentExecutions reached the "
                  f"function's reserved_concurrency ({cfg.function_concurrency}); compare the "
                  "Duration alarm (slow requests hold executions longer), then raise "
                  "reserved_concurrency or lower throttle_rate_limit in the env config."),
        AlarmSpec("FunctionDurationP90Alarm", "AWS/Lambda", "Duration", fn_dims, "p90", 15,
                  duration_ms, "GreaterThanThreshold",
                  f"p90 duration over 80% of the {cfg.timeout_seconds}s timeout for 15 minutes: "
                  "check DynamoDB latency and throttles, then list page sizes."),
    ]
    for collection, table in zip(cfg.collections, tables):
        specs += table_alarm_specs(cfg, collection, table)
    return specs


def release_alarm_specs(fn: awslambda.Function, version: awslambda.Version) -> list[AlarmSpec]:
    """What stops a gradual release: the NEW version's errors and the alias's throttles.

    Lambda publishes per-alias metrics (FunctionName + Resource "<name>:live") and,
    for an alias split between two versions, per executed version (+ ExecutedVersion):
    "Use the ExecutedVersion dimension to compare error rates for two versions of a
    function that are both targets of a weighted alias" (Lambda developer guide,
    monitoring-metrics). Throttles happen before any version runs, so they are
    counted per alias. Not paging: CodeDeploy acts on them (the paging alarms still do).
    """
    alias = {"FunctionName": Ref(fn), "Resource": Sub("${Fn}:" + LIVE_ALIAS, Fn=Ref(fn))}
    return [
        AlarmSpec("ReleaseVersionErrorsAlarm", "AWS/Lambda", "Errors",
                  {**alias, "ExecutedVersion": GetAtt(version, "Version")}, "Sum", 1, 0,
                  "GreaterThanThreshold",
                  "The version being released raised or timed out behind the live alias: "
                  "CodeDeploy stops the release and moves all traffic back.", paging=False),
        AlarmSpec("ReleaseAliasThrottlesAlarm", "AWS/Lambda", "Throttles", alias, "Sum", 2, 1,
                  "GreaterThanOrEqualToThreshold",
                  "Invocations of the live alias throttled for 2 minutes during a release: "
                  "CodeDeploy stops it; check concurrency before releasing again.",
                  paging=False),
    ]


def build_release_alarms(cfg: StackConfig, fn: awslambda.Function,
                         version: awslambda.Version) -> list[cloudwatch.Alarm]:
    return [_alarm(cfg, spec) for spec in release_alarm_specs(fn, version)]


def alarm_arn(alarm: AWSObject) -> Sub:
    return Sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:"
               + alarm.AlarmName)


def _targets(cfg: StackConfig, topic: Topic) -> list:
    """The environment's topic, and the team's paging topic when one is configured."""
    return [Ref(topic), *([cfg.alarm_topic_arn] if cfg.alarm_topic_arn else [])]


def build_alarms(cfg: StackConfig, api: apigateway.RestApi, fn: awslambda.Function,
                 tables: Sequence[Table], topic: Topic) -> tuple[list[cloudwatch.Alarm], AWSObject]:
    """Member alarms (paging first) and the composite that notifies `topic`."""
    specs = alarm_specs(cfg, api, fn, tables)
    alarms = [_alarm(cfg, s) for s in specs if s.paging] + [
        _system_errors_alarm(cfg, c, t) for c, t in zip(cfg.collections, tables)]
    warnings = [_alarm(cfg, s) for s in specs if not s.paging]
    # By name, not GetAtt Arn: the names are fixed strings we set, and moto's
    # CloudFormation (the local AWS) cannot resolve an alarm's Arn attribute.
    rule = " OR ".join(f'ALARM("{a.AlarmName}")' for a in alarms)
    composite = cloudwatch.CompositeAlarm(
        COMPOSITE, AlarmName=f"{cfg.resource_prefix}-paging",
        DependsOn=[a.title for a in alarms],
        AlarmDescription=("Pages when any member alarm fires; open the dashboard and the "
                          "firing member's description for where to look first."),
        AlarmRule=rule, ActionsEnabled=True, AlarmActions=_targets(cfg, topic),
        OKActions=_targets(cfg, topic))
    return alarms + warnings, composite

