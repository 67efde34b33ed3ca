"""build_template: the one pure entry point from config to CloudFormation."""

from troposphere import Ref, Template

from data_api_stack import (alarms, api, auth, autoscaling, dashboard, deploy, function, iam,
                            lint_suppressions, logs, notifications, outputs, stage, table, waf)
from data_api_stack.config import StackConfig


def build_template(cfg: StackConfig) -> Template:
    """Return a new Template for one environment; no state is shared between calls."""
    template = Template(Description=(
        f"Serverless data API, environment '{cfg.environment}': API Gateway REST API -> "
        f"Lambda ({cfg.runtime}) -> DynamoDB, with logs and least-privilege IAM"))
    items = table.build_table(cfg)
    function_logs = logs.build_function_log_group(cfg)
    access_logs = logs.build_access_log_group(cfg)
    role = iam.build_function_role(cfg, items, function_logs)
    bucket = function.build_artifact_bucket_parameter()
    access = auth.build_auth(cfg, lambda path, verb: api.method_arn(cfg.environment, path, verb))
    fn = function.build_function(cfg, bucket, role, items, function_logs, access.function_env)
    version, alias = function.build_live_alias(fn)
    parts = api.build_api(cfg, Ref(alias), access)
    deployment = stage.build_deployment(parts.rest_api, parts.definition)
    api_stage = stage.build_stage(cfg, parts.rest_api, deployment, access_logs)

    alerting = notifications.build_notifications(cfg)
    members, composite = alarms.build_alarms(cfg, parts.rest_api, fn, items, alerting.topic)
    release = deploy.build_gradual_release(cfg, fn, version, alias, members,
                                           access.release_caller)
    board = dashboard.build_dashboard(cfg, parts.rest_api, fn, items,
                                      [*members, composite, *release.alarms])

    template.add_parameter(bucket)
    template.add_parameter(alerting.parameter)
    template.add_condition(notifications.HAS_ALARM_EMAIL, alerting.condition)
    for resource in [items, function_logs, access_logs, role, fn, version, alias, parts.rest_api,
                     *parts.definition, *parts.permissions, deployment, api_stage,
                     *alerting.resources, *members, composite, board, *release.resources,
                     *waf.build_waf(cfg, parts.rest_api, api_stage), *access.resources]:
        template.add_resource(resource)
    if cfg.autoscaling:
        template.add_resource(autoscaling.build_autoscaling(cfg, items))
    for output in outputs.build_outputs(cfg, fn, parts.rest_api, api_stage, items):
        template.add_output(output)
    template.add_output(dashboard.dashboard_output(cfg, board))
    for output in access.outputs:
        template.add_output(output)
    return lint_suppressions.annotate(template, cfg)
