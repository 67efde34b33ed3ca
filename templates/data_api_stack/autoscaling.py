"""DynamoDB auto scaling (per-environment switch): target tracking on read and write.

No RoleARN: Application Auto Scaling then uses its service-linked role for
DynamoDB, created on first use, instead of a role we would have to maintain.
"""

from __future__ import annotations

from troposphere import AWSObject, Ref, Sub
from troposphere import applicationautoscaling as aas
from troposphere.dynamodb import Table

from data_api import contract
from data_api_stack.collection import Collection
from data_api_stack.config import StackConfig


def build_autoscaling(cfg: StackConfig, collection: Collection, table: Table) -> list[AWSObject]:
    """Read and write targets of a provisioned collection's table and of each of its
    indexes (an index short of write capacity throttles the table's writes)."""
    resources = _targets(cfg, collection, table, "", "table", "")
    for index in collection.indexes:
        resources += _targets(cfg, collection, table, f"/index/{index.name}", "index",
                              contract.camel_case(index.name) + "Index")
    return resources


def _targets(cfg: StackConfig, collection: Collection, table: Table, suffix: str,
             dimension: str, part: str) -> list[AWSObject]:
    resources: list[AWSObject] = []
    for kind, minimum, maximum in (("Read", cfg.read_capacity, cfg.autoscaling_max_read),
                                   ("Write", cfg.write_capacity, cfg.autoscaling_max_write)):
        name = f"{kind.lower()}-target-tracking"
        target = aas.ScalableTarget(
            collection.table_part_id(f"{part}{kind}ScalableTarget"),
            ServiceNamespace="dynamodb",
            ResourceId=Sub("table/${Table}" + suffix, Table=Ref(table)),
            ScalableDimension=f"dynamodb:{dimension}:{kind}CapacityUnits",
            MinCapacity=minimum,
            MaxCapacity=maximum,
        )
        policy = aas.ScalingPolicy(
            collection.table_part_id(f"{part}{kind}ScalingPolicy"),
            PolicyName=collection.scoped_name(
                cfg.resource_prefix, f"{suffix.rsplit('/', 1)[-1]}-{name}" if suffix else name),
            PolicyType="TargetTrackingScaling",
            ScalingTargetId=Ref(target),
            TargetTrackingScalingPolicyConfiguration=aas.TargetTrackingScalingPolicyConfiguration(
                TargetValue=float(cfg.autoscaling_target_utilization),
                PredefinedMetricSpecification=aas.PredefinedMetricSpecification(
                    PredefinedMetricType=f"DynamoDB{kind}CapacityUtilization"),
            ),
        )
        resources += [target, policy]
    return resources
