"""The environment's Lambda artifact bucket (its own stack: config/<env>/artifacts.yaml)."""

from __future__ import annotations

from awacs.aws import Condition, Deny, PolicyDocument, Principal, Statement, Bool
from awacs import s3 as awacs_s3
from troposphere import Export, GetAtt, Output, Ref, Sub, Template, s3

from data_api_stack.config import StackConfig
from data_api_stack.lint_suppressions import annotate

BUCKET = "ArtifactBucket"
BUCKET_POLICY = "ArtifactBucketPolicy"
OUTPUT_BUCKET_NAME = "BucketName"
NONCURRENT_VERSION_DAYS = 30


def _tls_only_policy(bucket: s3.Bucket) -> PolicyDocument:
    return PolicyDocument(Version="2012-10-17", Statement=[Statement(
        Sid="DenyInsecureTransport",
        Effect=Deny,
        Principal=Principal("*"),
        Action=[awacs_s3.Action("*")],
        Resource=[GetAtt(bucket, "Arn"), Sub("${BucketArn}/*", BucketArn=GetAtt(bucket, "Arn"))],
        Condition=Condition(Bool("aws:SecureTransport", False)),
    )])


def build_artifacts_template(cfg: StackConfig) -> Template:
    """The environment's settings are the api stack's; the bucket takes its names only."""
    template = Template(Description=(
        f"Lambda artifact bucket of the serverless data API, environment '{cfg.environment}'"))
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
                               Export=Export(f"{cfg.resource_prefix}-ArtifactBucket")))
    return annotate(template)
