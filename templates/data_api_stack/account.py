"""Account-level API Gateway logging role (one per account and region).

Stage access logs need `AWS::ApiGateway::Account.CloudWatchRoleArn` set once per
account and region. That is account-wide state, so it lives in its own stack
(config/account/), launched deliberately, never as a side effect of an env.
"""

from awacs.helpers.trust import make_simple_assume_policy
from troposphere import GetAtt, Output, Sub, Template, apigateway, iam

from data_api_stack.lint_suppressions import annotate

ROLE = "ApiGatewayCloudWatchRole"
ACCOUNT = "ApiGatewayAccount"
# AWS's managed policy for exactly this purpose: API Gateway writes to the log
# groups of every API in the account, so it cannot be scoped to one group.
PUSH_TO_CLOUDWATCH = Sub("arn:${AWS::Partition}:iam::aws:policy/service-role/"
                         "AmazonAPIGatewayPushToCloudWatchLogs")


def build_account_template() -> Template:
    template = Template(Description=(
        "API Gateway account settings: the CloudWatch Logs role that stage logging needs "
        "(one per account and region; shared by every environment)"))
    role = template.add_resource(iam.Role(
        ROLE,
        AssumeRolePolicyDocument=make_simple_assume_policy("apigateway.amazonaws.com"),
        ManagedPolicyArns=[PUSH_TO_CLOUDWATCH],
        # Other stacks' stages depend on this setting; keep it if the stack goes.
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    ))
    template.add_resource(apigateway.Account(
        ACCOUNT, CloudWatchRoleArn=GetAtt(role, "Arn"),
        DeletionPolicy="Retain", UpdateReplacePolicy="Retain"))
    template.add_output(Output("CloudWatchRoleArn", Value=GetAtt(role, "Arn"),
                               Description="Role API Gateway uses to write logs"))
    return annotate(template)
