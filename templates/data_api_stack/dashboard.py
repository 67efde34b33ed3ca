"""One CloudWatch dashboard per environment, from the same references as the alarms."""

from __future__ import annotations

import json
from typing import Any, Sequence

from troposphere import Output, Ref, Sub, apigateway, awslambda, cloudwatch
from troposphere.dynamodb import Table

from data_api_stack import ids
from data_api_stack.alarms import alarm_arn
from data_api_stack.collection import Collection
from data_api_stack.outputs import exported_output
from data_api_stack.config import StackConfig

DASHBOARD = "Dashboard"
WIDTH, HEIGHT = 12, 6


def _metric_widget(title: str, metrics: list[list[Any]], stat: str = "Sum",
                   y_label: str = "") -> dict[str, Any]:
    return {"type": "metric", "properties": {
        "title": title, "region": "${AWS::Region}", "view": "timeSeries", "stacked": False,
        "period": 60, "stat": stat, "metrics": metrics,
        **({"yAxis": {"left": {"label": y_label, "showUnits": False}}} if y_label else {})}}


def _m(base: list[str], metric: str, **options: Any) -> list[Any]:
    row: list[Any] = [part.replace("{metric}", metric) for part in base]
    return row + ([options] if options else [])


def table_variable(collection: Collection) -> str:
    """The Fn::Sub variable holding a collection's table name."""
    return "TableName" if collection.is_default else f"{collection.table_id}Name"


def _table_widgets(collection: Collection) -> list[dict[str, Any]]:
    """Capacity and health of one collection's table."""
    name = "${" + table_variable(collection) + "}"
    table = ["AWS/DynamoDB", "{metric}", "TableName", name]
    about = "DynamoDB" if collection.is_default else f"DynamoDB {collection.name}"
    consumed = [
        _m(table, "ConsumedReadCapacityUnits", id="cr", visible=False),
        [{"expression": "cr/PERIOD(cr)", "label": "Consumed read", "id": "r"}],
        _m(table, "ConsumedWriteCapacityUnits", id="cw", visible=False),
        [{"expression": "cw/PERIOD(cw)", "label": "Consumed write", "id": "w"}]]
    if collection.provisioned:
        capacity = _metric_widget(f"{about} capacity: consumed vs provisioned (units/s)", [
            *consumed[:2],
            _m(table, "ProvisionedReadCapacityUnits", stat="Average", id="pr"),
            *consumed[2:],
            _m(table, "ProvisionedWriteCapacityUnits", stat="Average", id="pw"),
            [{"expression": "100*r/pr", "label": "Read utilisation %", "id": "ur",
              "yAxis": "right"}],
            [{"expression": "100*w/pw", "label": "Write utilisation %", "id": "uw",
              "yAxis": "right"}]])
    else:
        capacity = _metric_widget(f"{about} capacity: consumed, on demand (units/s)", consumed)
    return [capacity, _metric_widget(f"{about} throttles, latency, system errors", [
        _m(table, "ReadThrottleEvents"), _m(table, "WriteThrottleEvents"),
        _m(table, "SuccessfulRequestLatency", stat="Average", yAxis="right"),
        [{"expression": "SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName=\"SystemErrors\""
                        " TableName=\"" + name + "\"', 'Sum', 60)",
          "label": "SystemErrors", "id": "se"}]])]


ALARMS_PER_WIDGET = 100


def _body(collections: Sequence[Collection], alarm_count: int) -> dict[str, Any]:
    """Dashboard JSON with ${Var} placeholders that Fn::Sub fills with real references."""
    api = ["AWS/ApiGateway", "{metric}", "ApiName", "${ApiName}", "Stage", "${Stage}"]
    fn = ["AWS/Lambda", "{metric}", "FunctionName", "${FunctionName}"]
    widgets = [
        _metric_widget("API requests and errors", [
            _m(api, "Count"), _m(api, "4XXError"), _m(api, "5XXError")]),
        _metric_widget("API latency (ms)", [
            _m(api, "Latency", stat="p50"), _m(api, "Latency", stat="p90"),
            _m(api, "Latency", stat="p99"), _m(api, "IntegrationLatency", stat="p90")]),
        _metric_widget("Lambda invocations, errors, throttles", [
            _m(fn, "Invocations"), _m(fn, "Errors"), _m(fn, "Throttles"),
            _m(fn, "ConcurrentExecutions", stat="Maximum")]),
        _metric_widget("Lambda duration (ms)", [
            _m(fn, "Duration", stat="p50"), _m(fn, "Duration", stat="p90"),
            _m(fn, "Duration", stat="p99")]),
        *[widget for collection in collections for widget in _table_widgets(collection)],
        # An alarm widget lists at most 100 alarms (CloudWatch dashboard body structure).
        *({"type": "alarm", "properties": {
            "title": "Alarms" if start == 0 else f"Alarms ({start // ALARMS_PER_WIDGET + 1})",
            "alarms": [f"${{Alarm{n}}}" for n in
                       range(start, min(start + ALARMS_PER_WIDGET, alarm_count))]}}
          for start in range(0, alarm_count, ALARMS_PER_WIDGET)),
    ]
    for n, widget in enumerate(widgets):  # two columns, rows of HEIGHT
        widget.update(x=(n % 2) * WIDTH, y=(n // 2) * HEIGHT, width=WIDTH, height=HEIGHT)
    return {"widgets": widgets}


def build_dashboard(cfg: StackConfig, api: apigateway.RestApi, fn: awslambda.Function,
                    tables: Sequence[Table],
                    alarms: list[cloudwatch.Alarm]) -> cloudwatch.Dashboard:
    variables: dict[str, Any] = {"ApiName": api.Name, "Stage": cfg.environment,
                                 "FunctionName": Ref(fn)}
    variables.update({table_variable(c): Ref(t) for c, t in zip(cfg.collections, tables)})
    variables.update({f"Alarm{n}": alarm_arn(alarm) for n, alarm in enumerate(alarms)})
    return cloudwatch.Dashboard(
        DASHBOARD, DashboardName=f"{cfg.resource_prefix}-api",
        DashboardBody=Sub(json.dumps(_body(cfg.collections, len(alarms)), separators=(",", ":")),
                          **variables))


def dashboard_output(cfg: StackConfig, dashboard: cloudwatch.Dashboard) -> Output:
    return exported_output(
        cfg, ids.OUTPUT_DASHBOARD_URL, "CloudWatch dashboard of this environment",
        Sub("https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home"
            "?region=${AWS::Region}#dashboards:name=${Name}", Name=Ref(dashboard)))
