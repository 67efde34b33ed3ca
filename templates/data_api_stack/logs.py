"""CloudWatch Logs groups, created by the stack before anything writes to them.

An explicit group means retention is ours and Lambda never races to auto-create
an unbounded one on first invocation.
"""

from troposphere import logs

from data_api_stack import ids
from data_api_stack.config import StackConfig


def log_group(logical_id: str, name: str, cfg: StackConfig) -> logs.LogGroup:
    policy = "Retain" if cfg.retain_data else "Delete"
    return logs.LogGroup(
        logical_id,
        LogGroupName=name,
        RetentionInDays=cfg.log_retention_days,
        DeletionPolicy=policy,
        UpdateReplacePolicy=policy,
    )


def build_function_log_group(cfg: StackConfig) -> logs.LogGroup:
    # Lambda's default group name for this function, so the console's links still work.
    return log_group(ids.FUNCTION_LOG_GROUP, f"/aws/lambda/{cfg.function_name}", cfg)


def build_access_log_group(cfg: StackConfig) -> logs.LogGroup:
    return log_group(ids.ACCESS_LOG_GROUP, f"/aws/apigateway/{cfg.resource_prefix}-api/access", cfg)
