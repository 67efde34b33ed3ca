"""One CloudWatch dashboard per environment, from the same references as the alarms."""

from __future__ import annotations

import json
from typing import Any

from troposphere import Output, Ref, Sub, apigateway, awslambda, cloudwatch
from troposphere.dynamodb import Table

from data_api_stack import ids
from data_api_stack.alarms import alarm_arn
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


def _body(alarm_count: int) -> dict[str, Any]:
    """Dashboard JSON with ${Var} placeholders that Fn::Sub fills with real references."""
    api = ["AWS/ApiGateway", "{metric}", "ApiName", "${ApiName}", "Stage", "${Stage}"]
    fn = ["AWS/Lambda", "{metric}", "FunctionName", "${FunctionName}"]
    table = ["AWS/DynamoDB", "{metric}", "TableName", "${TableName}"]

    def m(base: list[str], metric: str, **options: Any) -> list[Any]:
        row: list[Any] = [part.replace("{metric}", metric) for part in base]
        return row + ([options] if options else [])

    widgets = [
        _metric_widget("API requests and errors", [
            m(api, "Count"), m(api, "4XXError"), m(api, "5XXError")]),
        _metric_widget("API latency (ms)", [
            m(api, "Latency", stat="p50"), m(api, "Latency", stat="p90"),
            m(api, "Latency", stat="p99"), m(api, "IntegrationLatency", stat="p90")]),
        _metric_widget("Lambda invocations, errors, throttles", [
            m(fn, "Invocations"), m(fn, "Errors"), m(fn, "Throttles"),
            m(fn, "ConcurrentExecutions", stat="Maximum")]),
        _metric_widget("Lambda duration (ms)", [
            m(fn, "Duration", stat="p50"), m(fn, "Duration", stat="p90"),
            m(fn, "Duration", stat="p99")]),
        _metric_widget("DynamoDB capacity: consumed vs provisioned (units/s)", [
            m(table, "ConsumedReadCapacityUnits", id="cr", visible=False),
            [{"expression": "cr/PERIOD(cr)", "label": "Consumed read", "id": "r"}],
            m(table, "ProvisionedReadCapacityUnits", stat="Average", id="pr"),
            m(table, "ConsumedWriteCapacityUnits", id="cw", visible=False),
            [{"expression": "cw/PERIOD(cw)", "label": "Consumed write", "id": "w"}],
            m(table, "ProvisionedWriteCapacityUnits", stat="Average", id="pw"),
            [{"expression": "100*r/pr", "label": "Read utilisation %", "id": "ur",
              "yAxis": "right"}],
            [{"expression": "100*w/pw", "label": "Write utilisation %", "id": "uw",
              "yAxis": "right"}]]),
        _metric_widget("DynamoDB throttles, latency, system errors", [
            m(table, "ReadThrottleEvents"), m(table, "WriteThrottleEvents"),
            m(table, "SuccessfulRequestLatency", stat="Average", yAxis="right"),
            [{"expression": "SEARCH('{AWS/DynamoDB,Operation,TableName} MetricName=\"SystemErrors\""
                            " TableName=\"${TableName}\"', 'Sum', 60)",
              "label": "SystemErrors", "id": "se"}]]),
        {"type": "alarm", "properties": {
            "title": "Alarms", "alarms": [f"${{Alarm{n}}}" for n in range(alarm_count)]}},
    ]
    for n, widget in enumerate(widgets):  # two columns, rows of HEIGHT
        widget.update(x=(n % 2) * WIDTH, y=(n // 2) * HEIGHT, width=WIDTH, height=HEIGHT)
    return {"widgets": widgets}


def build_dashboard(cfg: StackConfig, api: apigateway.RestApi, fn: awslambda.Function,
                    table: Table, alarms: list[cloudwatch.Alarm]) -> cloudwatch.Dashboard:
    variables: dict[str, Any] = {"ApiName": api.Name, "Stage": cfg.environment,
                                 "FunctionName": Ref(fn), "TableName": Ref(table)}
    variables.update({f"Alarm{n}": alarm_arn(alarm) for n, alarm in enumerate(alarms)})
    return cloudwatch.Dashboard(
        DASHBOARD, DashboardName=f"{cfg.name_prefix}-api",
        DashboardBody=Sub(json.dumps(_body(len(alarms)), separators=(",", ":")), **variables))


def dashboard_output(cfg: StackConfig, dashboard: cloudwatch.Dashboard) -> Output:
    return exported_output(
        cfg, ids.OUTPUT_DASHBOARD_URL, "CloudWatch dashboard of this environment",
        Sub("https://${AWS::Region}.console.aws.amazon.com/cloudwatch/home"
            "?region=${AWS::Region}#dashboards:name=${Name}", Name=Ref(dashboard)))
