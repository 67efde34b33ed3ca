"""Stack outputs, exported under names that include the environment."""

from troposphere import Export, GetAtt, Output, Ref, Sub, apigateway, awslambda
from typing import Sequence

from troposphere.dynamodb import Table

from data_api_stack import ids
from data_api_stack.collection import Collection
from data_api_stack.config import StackConfig


def exported_output(cfg: StackConfig, logical_id: str, description: str,
                    value: object) -> Output:
    return Output(logical_id, Description=description, Value=value,
                  Export=Export(f"{cfg.resource_prefix}-{logical_id}"))


def _table_output(cfg: StackConfig, collection: Collection, table: Table) -> Output:
    """`data`'s keeps the TableName output it always had; another's is <Name>TableName."""
    if collection.is_default:
        return exported_output(cfg, ids.OUTPUT_TABLE_NAME, "Name of the DynamoDB items table",
                               Ref(table))
    return exported_output(cfg, f"{table.title}Name", f"Name of the {collection.name} "
                           f"collection's DynamoDB table ({collection.path})", Ref(table))


def build_outputs(cfg: StackConfig, function: awslambda.Function, api: apigateway.RestApi,
                  stage: apigateway.Stage, tables: Sequence[Table]) -> list[Output]:
    url = Sub("https://${Api}.execute-api.${AWS::Region}.${AWS::URLSuffix}/${Stage}/",
              Api=Ref(api), Stage=Ref(stage))
    return [
        exported_output(cfg, ids.OUTPUT_FUNCTION_ARN, "ARN of the API's Lambda function",
                GetAtt(function, "Arn")),
        exported_output(cfg, ids.OUTPUT_API_URL, "Base URL of the API, stage path included", url),
        *[_table_output(cfg, c, t) for c, t in zip(cfg.collections, tables)],
    ]
