"""build_template: the one pure entry point from config to CloudFormation."""

from troposphere import AWSObject, Ref, Template

from data_api_stack import (alarms, api, auth, autoscaling, dashboard, deploy, function, iam,
                            idempotency_table, limits, lint_suppressions, logs, notifications,
                            outputs, stage, table, waf)
from data_api_stack.config import StackConfig
from data_api_stack.parsers import ConfigError


def build_template(cfg: StackConfig) -> Template:
    """Return a new Template for one environment; no state is shared between calls.
    A config over one of AWS's limits (limits.py) raises LimitError naming the limit,
    the count and how many of its collections fit."""
    try:
        return _build(cfg)
    except limits.LimitError as error:
        raise limits.explained(cfg, error, _build) from None


def _build(cfg: StackConfig) -> Template:
    template = Template(Description=(
        f"Serverless data API, environment '{cfg.environment}': API Gateway REST API -> "
        f"Lambda ({cfg.runtime}) -> DynamoDB, with logs and least-privilege IAM"))
    tables = [table.build_table(cfg, collection) for collection in cfg.collections]
    records = idempotency_table.build_idempotency_table(cfg)
    function_logs = logs.build_function_log_group(cfg)
    access_logs = logs.build_access_log_group(cfg)
    role = iam.build_function_role(cfg, tables, function_logs, records)
    bucket = function.build_artifact_bucket_parameter()
    access = auth.build_auth(cfg, lambda path, verb: api.method_arn(cfg.environment, path, verb))
    fn = function.build_function(cfg, bucket, role, tables, function_logs,
                                 {**access.function_env, **idempotency_table.function_env(records)})
    version, alias = function.build_live_alias(fn)
    parts = api.build_api(cfg, Ref(alias), access)
    deployment = stage.build_deployment(parts.rest_api, parts.definition)
    api_stage = stage.build_stage(cfg, parts.rest_api, deployment, access_logs)

    alerting = notifications.build_notifications(cfg)
    members, composite = alarms.build_alarms(cfg, parts.rest_api, fn, tables, alerting.topic)
    release = deploy.build_gradual_release(cfg, fn, version, alias, members,
                                           access.release_caller)
    board = dashboard.build_dashboard(cfg, parts.rest_api, fn, tables,
                                      [*members, composite, *release.alarms])

    template.add_parameter(bucket)
    template.add_parameter(alerting.parameter)
    template.add_condition(notifications.HAS_ALARM_EMAIL, alerting.condition)
    scaling = [resource for collection, items in zip(cfg.collections, tables)
               if cfg.autoscaling and collection.provisioned
               for resource in autoscaling.build_autoscaling(cfg, collection, items)]
    resources = [*tables, records, function_logs, access_logs, role, fn, version, alias,
                 parts.rest_api, *parts.definition, *parts.permissions, deployment, api_stage,
                 *alerting.resources, *members, composite, board, *release.resources,
                 *waf.build_waf(cfg, parts.rest_api, api_stage), *access.resources, *scaling]
    stack_outputs = [*outputs.build_outputs(cfg, fn, parts.rest_api, api_stage, tables),
                     dashboard.dashboard_output(cfg, board), *access.outputs]
    limits.check(resources, stack_outputs)
    _add(template, cfg, resources)
    for output in stack_outputs:
        template.add_output(output)
    return lint_suppressions.annotate(template, cfg)


def _add(template: Template, cfg: StackConfig, resources: list[AWSObject]) -> None:
    """Add each resource; a collection whose name makes a logical ID the stack already
    uses (e.g. `catch_all` -> CatchAllResource) is a config error, not a traceback."""
    for resource in resources:
        if resource.title in template.resources:
            names = [c.name for c in cfg.collections if resource.title.startswith(c.camel)]
            raise ConfigError(f"sceptre_user_data.collections: expected names whose resources "
                              f"have logical IDs of their own; {' and '.join(names) or 'a name'} "
                              f"gives {resource.title!r}, which another part of the stack "
                              "already has: rename the collection")
        template.add_resource(resource)
