"""build_template: the one pure entry point from config to CloudFormation."""

from troposphere import Template

from data_api_stack import api, function, iam, logs, outputs, stage, table
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
    fn = function.build_function(cfg, bucket, role, items, function_logs)
    parts = api.build_api(cfg, fn)
    deployment = stage.build_deployment(parts.rest_api, parts.definition)
    api_stage = stage.build_stage(cfg, parts.rest_api, deployment, access_logs)

    template.add_parameter(bucket)
    for resource in [items, function_logs, access_logs, role, fn, parts.rest_api,
                     *parts.definition, *parts.permissions, deployment, api_stage]:
        template.add_resource(resource)
    for output in outputs.build_outputs(cfg, fn, parts.rest_api, api_stage, items):
        template.add_output(output)
    return template
