"""The environment's Lambda artifact bucket (its own stack: config/<env>/artifacts.yaml)."""

from __future__ import annotations

from typing import Any, Mapping

from awacs.aws import Condition, Deny, PolicyDocument, Principal, Statement, Bool
from awacs import s3 as awacs_s3
from troposphere import Export, GetAtt, Output, Ref, Sub, Template, s3

from data_api_stack.config import ENVIRONMENT_PATTERN, ConfigError, name_prefix
from data_api_stack.lint_suppressions import annotate

BUCKET = "ArtifactBucket"
BUCKET_POLICY = "ArtifactBucketPolicy"
OUTPUT_BUCKET_NAME = "BucketName"
NONCURRENT_VERSION_DAYS = 30


def parse_environment(user_data: Mapping[str, Any] | None) -> str:
    """The artifacts stack takes one key, `environment`."""
    if not isinstance(user_data, Mapping) or set(user_data) != {"environment"}:
        raise ConfigError(f"sceptre_user_data: expected exactly {{environment: <suffix>}}, "
                          f"got {user_data!r}")
    value = user_data["environment"]
    if not isinstance(value, str) or not ENVIRONMENT_PATTERN.match(value):
        raise ConfigError(f"sceptre_user_data.environment: expected 1-16 lowercase letters, "
                          f"digits or '-', got {value!r}")
    return value


def _tls_only_policy(bucket: s3.Bucket) -> PolicyDocument:
    return PolicyDocument(Version="2012-10-17", Statement=[Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[awacs_s3.Action("*")],
        Resource=[GetAtt(bucket, "Arn"), Sub("${BucketArn}/*", BucketArn=GetAtt(bucket, "Arn"))],
        Condition=Condition(Bool("aws:SecureTransport", False)),
    )])


def build_artifacts_template(environment: str) -> Template:
    template = Template(Description=(
        f"Lambda artifact bucket of the serverless data API, environment '{environment}'"))
    bucket = s3.Bucket(
        BUCKET,
        VersioningConfiguration=s3.VersioningConfiguration(Status="Enabled"),
        BucketEncryption=s3.BucketEncryption(ServerSideEncryptionConfiguration=[
            s3.ServerSideEncryptionRule(
                ServerSideEncryptionByDefault=s3.ServerSideEncryptionByDefault(
                    SSEAlgorithm="AES256"),
                BucketKeyEnabled=True,
            )]),
        PublicAccessBlockConfiguration=s3.PublicAccessBlockConfiguration(
            BlockPublicAcls=True, BlockPublicPolicy=True,
            IgnorePublicAcls=True, RestrictPublicBuckets=True),
        OwnershipControls=s3.OwnershipControls(
            Rules=[s3.OwnershipControlsRule(ObjectOwnership="BucketOwnerEnforced")]),
        LifecycleConfiguration=s3.LifecycleConfiguration(Rules=[s3.LifecycleRule(
            Id="expire-old-versions",
            Status="Enabled",
            NoncurrentVersionExpiration=s3.NoncurrentVersionExpiration(
                NoncurrentDays=NONCURRENT_VERSION_DAYS),
            AbortIncompleteMultipartUpload=s3.AbortIncompleteMultipartUpload(
                DaysAfterInitiation=1),
        )]),
        # Artifacts are what running functions were built from; a stack delete
        # must not fail on a non-empty bucket nor destroy them.
        DeletionPolicy="Retain",
        UpdateReplacePolicy="Retain",
    )
    template.add_resource(bucket)
    template.add_resource(s3.BucketPolicy(BUCKET_POLICY, Bucket=Ref(bucket),
                                          PolicyDocument=_tls_only_policy(bucket)))
    template.add_output(Output(OUTPUT_BUCKET_NAME, Description="Name of the artifact bucket",
                               Value=Ref(bucket),
                               Export=Export(f"{name_prefix(environment)}-ArtifactBucket")))
    return annotate(template)
