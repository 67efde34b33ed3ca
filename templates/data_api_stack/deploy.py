"""Gradual releases: CodeDeploy shifts the `live` alias to a new version step by step.

Only when `deploy_strategy` is not AllAtOnce. Then a stack update that publishes a
new version does not move the alias itself: the alias's UpdatePolicy
(CodeDeployLambdaAliasUpdate) hands the move to CodeDeploy, which
1. runs the pre-traffic check (release_hook.py) against the new version,
2. shifts traffic by the strategy (canary or linear) while watching the alarms,
3. on a failed check, an alarm, or `aws deploy stop-deployment`, moves all traffic
   back to the old version and fails the stack update, which CloudFormation rolls back.

With AllAtOnce there is no CodeDeploy at all: the alias moves in the update itself
(dev: fast launches; run `make smoke` for the same checks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from awacs import awslambda as awacs_lambda
from awacs import cloudwatch as awacs_cloudwatch
from awacs.aws import Allow, PolicyDocument, Principal, Statement
from awacs.helpers.trust import make_simple_assume_policy
from troposphere import AWSObject, GetAtt, Ref, awslambda, cloudwatch, codedeploy, iam
from troposphere.policies import CodeDeployLambdaAliasUpdate, UpdatePolicy

from data_api_stack import ids
from data_api_stack.alarms import API_5XX, alarm_arn, build_release_alarms
from data_api_stack.config import DEPLOY_CONFIG_PREFIX, StackConfig
from data_api_stack.function import alias_arn
from data_api_stack.release_hook import application_name, build_hook, deployment_group_name


@dataclass
class Release:
    """What a gradual release adds to the stack (nothing for AllAtOnce)."""

    alarms: list[cloudwatch.Alarm] = field(default_factory=list)  # new ones, for the dashboard
    resources: list[AWSObject] = field(default_factory=list)


def _service_policy(fn: awslambda.Function, hook: awslambda.Function,
                    alarms: list[cloudwatch.Alarm]) -> PolicyDocument:
    """What CodeDeploy does for a Lambda release, on this stack's resources only
    (AWS's managed AWSCodeDeployRoleForLambdaLimited grants the same actions on "*",
    and InvokeFunction on every function named CodeDeployHook_*)."""
    return PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Sid="ReadReleaseAlarms", Effect=Allow,
                  # Metric alarms may be named exactly; only composite alarms need "*".
                  Action=[awacs_cloudwatch.DescribeAlarms],
                  Resource=[alarm_arn(alarm) for alarm in alarms]),
        Statement(Sid="ShiftTheLiveAlias", Effect=Allow,
                  Action=[awacs_lambda.GetAlias, awacs_lambda.UpdateAlias,
                          awacs_lambda.GetProvisionedConcurrencyConfig],
                  # Alias actions authorize on the function ARN; the alias ARN too, in
                  # case a qualified ARN is evaluated.
                  Resource=[GetAtt(fn, "Arn"), alias_arn(fn)]),
        Statement(Sid="RunThePreTrafficCheck", Effect=Allow,
                  Action=[awacs_lambda.InvokeFunction], Resource=[GetAtt(hook, "Arn")]),
    ])


def build_gradual_release(cfg: StackConfig, fn: awslambda.Function,
                          version: awslambda.Version, alias: awslambda.Alias,
                          members: list[AWSObject],
                          caller: Callable[[Any], Any]) -> Release:
    """Unless AllAtOnce: the pre-traffic check, the release alarms (plus the API's 5XX
    alarm among `members`), CodeDeploy's application, group and service role, and the
    alias's UpdatePolicy. Its Refs make the alias wait for the group (and so the
    alarms) and the check (cfn-lint W3005 confirms Refs there are dependencies).
    `caller`: the checks' caller context (auth.AuthParts.release_caller)."""
    if not cfg.gradual_deploys:
        return Release()
    hook, hook_resources = build_hook(cfg, fn, version, caller)
    stoppers = build_release_alarms(cfg, fn, version)
    watched = [*stoppers, next(a for a in members if a.title == API_5XX)]
    application = codedeploy.Application(ids.CODEDEPLOY_APPLICATION,
                                         ApplicationName=application_name(cfg),
                                         ComputePlatform="Lambda")
    role = iam.Role(
        ids.CODEDEPLOY_ROLE,
        Description=f"CodeDeploy shifts the {cfg.environment} data API's live alias",
        AssumeRolePolicyDocument=make_simple_assume_policy("codedeploy.amazonaws.com"),
        Policies=[iam.Policy(PolicyName="least-privilege",
                             PolicyDocument=_service_policy(fn, hook, watched))])
    group = codedeploy.DeploymentGroup(
        ids.DEPLOYMENT_GROUP,
        ApplicationName=Ref(application),
        DeploymentGroupName=deployment_group_name(cfg),
        ServiceRoleArn=GetAtt(role, "Arn"),
        DeploymentConfigName=DEPLOY_CONFIG_PREFIX + cfg.deploy_strategy,
        DeploymentStyle=codedeploy.DeploymentStyle(DeploymentType="BLUE_GREEN",
                                                   DeploymentOption="WITH_TRAFFIC_CONTROL"),
        AutoRollbackConfiguration=codedeploy.AutoRollbackConfiguration(
            Enabled=True, Events=["DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM",
                                  "DEPLOYMENT_STOP_ON_REQUEST"]),
        # Ref of an alarm is its name: the group (and so the alias) waits for them.
        AlarmConfiguration=codedeploy.AlarmConfiguration(
            Enabled=True, IgnorePollAlarmFailure=False,
            Alarms=[codedeploy.Alarm(Name=Ref(alarm)) for alarm in watched]),
    )
    alias.UpdatePolicy = UpdatePolicy(CodeDeployLambdaAliasUpdate=CodeDeployLambdaAliasUpdate(
        ApplicationName=Ref(application), DeploymentGroupName=Ref(group),
        BeforeAllowTrafficHook=Ref(hook)))
    return Release(stoppers, [*hook_resources, *stoppers, application, role, group])
