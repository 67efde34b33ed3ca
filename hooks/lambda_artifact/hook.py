"""`!package_lambda <folder>`: build the artifact and upload it before CloudFormation runs.

Uploads to the bucket named by the stack's `ArtifactBucket` parameter (resolved
from the artifacts stack), with the stack's own region, profile and role.
Content-addressed keys make it idempotent; an object already there is trusted only once
verified (lambda_artifact.upload).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from sceptre.exceptions import InvalidHookArgumentValueError
from sceptre.hooks import Hook

from lambda_artifact.build import ArtifactError
from lambda_artifact.source import (package, parse_argument, stack_architecture,
                                    stack_python_version)
from lambda_artifact.upload import UploadError, publish

BUCKET_PARAMETER = "ArtifactBucket"


class LambdaPackagingError(InvalidHookArgumentValueError):
    """Packaging or upload failed; raised before CloudFormation is called.

    One of Sceptre's InvalidHookArgument* errors, so the CLI prints it as one line and
    callers catching Sceptre's hook errors catch it too.
    """


class PackageLambda(Hook):
    def run(self) -> None:
        folder, architecture = parse_argument(self.argument, self.stack.config["project_path"],
                                              InvalidHookArgumentValueError,
                                              stack_architecture(self.stack.config))
        bucket = self._bucket()
        try:
            artifact = package(folder, architecture,
                               stack_python_version(self.stack.config))
        except ArtifactError as error:
            raise LambdaPackagingError(f"!package_lambda: {error}") from None
        self.logger.info("Built %s: %d files, %.1f KB, sha256 %s", artifact.key,
                         artifact.file_count, len(artifact.data) / 1024, artifact.sha256)
        s3 = self.stack.connection_manager.get_session().client("s3")
        try:
            self._check_bucket(s3, bucket)
            publish(s3, bucket, artifact, self.logger)
        except UploadError as error:
            raise LambdaPackagingError(f"!package_lambda: {error}") from None
        except (ClientError, BotoCoreError) as error:
            raise LambdaPackagingError(
                f"!package_lambda: upload to s3://{bucket}/{artifact.key} failed: {error}") from None

    def _bucket(self) -> str:
        bucket = self.stack.parameters.get(BUCKET_PARAMETER)
        if not isinstance(bucket, str) or not bucket:
            raise InvalidHookArgumentValueError(
                f"!package_lambda needs the stack parameter {BUCKET_PARAMETER!r} "
                f"(the artifacts stack's BucketName); it is {bucket!r}")
        return bucket

    def _check_bucket(self, s3: Any, bucket: str) -> None:
        """A clear error if the bucket does not exist."""
        try:
            s3.head_bucket(Bucket=bucket)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code in ("404", "NoSuchBucket"):
                raise LambdaPackagingError(
                    f"!package_lambda: artifact bucket {bucket!r} does not exist; "
                    "launch the environment's artifacts stack first") from None
            raise
