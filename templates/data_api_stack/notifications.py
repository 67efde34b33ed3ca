"""Where alarms go: one encrypted SNS topic per environment, email if configured.

The topic's key is a customer-managed KMS key that CloudWatch may use: with the
AWS-managed SNS key, CloudWatch cannot publish and alarm notifications are
silently dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

from awacs import kms as awacs_kms
from awacs.aws import Allow, Condition, PolicyDocument, Principal, Statement, StringEquals
from troposphere import AWSObject, Equals, Not, Parameter, Ref, Sub, kms, sns

from data_api_stack.config import StackConfig

ALARM_EMAIL_PARAM = "AlarmEmail"
HAS_ALARM_EMAIL = "HasAlarmEmail"
TOPIC_KEY = "AlarmTopicKey"
TOPIC = "AlarmTopic"
EMAIL_SUBSCRIPTION = "AlarmEmailSubscription"


@dataclass
class Notifications:
    parameter: Parameter
    condition: object
    topic: sns.Topic
    resources: list[AWSObject]


def _key_policy() -> PolicyDocument:
    return PolicyDocument(Version="2012-10-17", Statement=[
        Statement(Sid="AccountAdministers", Effect=Allow,
                  Principal=Principal("AWS", Sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:root")),
                  Action=[awacs_kms.Action("*")], Resource=["*"]),
        # Only on behalf of this account's alarms (confused deputy): CloudWatch's
        # requests for an encrypted topic carry aws:SourceAccount (SNS developer guide,
        # "Enable compatibility between event sources from AWS services and encrypted
        # topics"). Resource "*" in a key policy means this key only.
        Statement(Sid="CloudWatchPublishesAlarms", Effect=Allow,
                  Principal=Principal("Service", "cloudwatch.amazonaws.com"),
                  Action=[awacs_kms.Decrypt, awacs_kms.GenerateDataKey], Resource=["*"],
                  Condition=Condition(StringEquals(
                      "aws:SourceAccount", Ref("AWS::AccountId")))),
    ])


def build_notifications(cfg: StackConfig) -> Notifications:
    parameter = Parameter(
        ALARM_EMAIL_PARAM, Type="String", Default=cfg.alarm_email or "",
        Description="Email that receives alarm notifications (empty: no subscription)")
    condition = Not(Equals(Ref(parameter), ""))
    key = kms.Key(TOPIC_KEY, Description=f"Encrypts the {cfg.environment} alarm topic",
                  EnableKeyRotation=True, KeyPolicy=_key_policy(), PendingWindowInDays=7,
                  DeletionPolicy="Retain" if cfg.retain_data else "Delete",
                  UpdateReplacePolicy="Retain" if cfg.retain_data else "Delete")
    topic = sns.Topic(TOPIC, TopicName=f"{cfg.resource_prefix}-alarms",
                      DisplayName=f"Data API {cfg.environment} alarms",
                      KmsMasterKeyId=Ref(key))
    subscription = sns.SubscriptionResource(
        EMAIL_SUBSCRIPTION, Condition=HAS_ALARM_EMAIL, TopicArn=Ref(topic),
        Protocol="email", Endpoint=Ref(parameter))
    return Notifications(parameter, condition, topic, [key, topic, subscription])
