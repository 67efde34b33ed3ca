"""Put an artifact where Lambda reads it, so that what Lambda runs is what we built.

- Upload with a SHA-256 checksum: S3 recomputes it and refuses a body that does not
  match (x-amz-checksum-sha256), and keeps it with the object.
- An object already at the (content-addressed) key is trusted only once verified:
  HeadObject with ChecksumMode=ENABLED returns the SHA-256 S3 stored; equal to our
  zip's -> the same bytes. Otherwise (another machine's zlib deflated the same files
  differently, or the object was changed or uploaded without a checksum) it is
  downloaded (S3 and botocore verify the transfer) and its files compared: the same
  names, modes and bytes -> the same code, trusted. Different -> the key lies about
  its code, so ours replaces it (the bucket is versioned: the old one stays as a
  noncurrent version for inspection) and the log says so loudly. Replacing rather than
  failing: our build is verifiably the code the key names, and failing would block
  every deploy until someone deleted the object by hand.
"""

from __future__ import annotations

import base64
import logging
from typing import Any

from botocore.exceptions import ClientError

from lambda_artifact.build import Artifact, zip_content_digest

MISSING = ("404", "NoSuchKey", "NotFound")


class UploadError(RuntimeError):
    """The artifact could not be put or verified; the message says why, in one line."""


def checksum(artifact: Artifact) -> str:
    """S3's form of the zip's SHA-256: base64 of the digest."""
    return base64.b64encode(bytes.fromhex(artifact.sha256)).decode()


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _head(s3: Any, bucket: str, key: str) -> dict | None:
    """The object's metadata with its stored checksum, or None if there is none."""
    try:
        return s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    except ClientError as error:
        code = _error_code(error)
        if code in MISSING:
            return None
        if code in ("403", "AccessDenied", "Forbidden"):
            raise UploadError(
                f"HeadObject on s3://{bucket}/{key} was denied (403). Without s3:ListBucket "
                f"on the bucket, S3 answers 403 instead of 404 for a key that does not "
                f"exist yet: grant s3:ListBucket on the bucket (and s3:GetObject, "
                f"s3:PutObject on its objects) to the deploying role") from None
        raise


def _same_code(s3: Any, bucket: str, key: str, artifact: Artifact) -> bool:
    body = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")["Body"].read()
    try:
        return zip_content_digest(body) == artifact.content_sha256
    except Exception:  # not a zip at all: certainly not our code
        return False


def publish(s3: Any, bucket: str, artifact: Artifact, log: logging.Logger) -> str:
    """Make s3://bucket/<artifact.key> hold this code; return what was done."""
    key = artifact.key
    head = _head(s3, bucket, key)
    if head is not None:
        if head.get("ChecksumSHA256") == checksum(artifact):
            log.info("s3://%s/%s already present (SHA-256 verified), upload skipped",
                     bucket, key)
            return "present"
        if _same_code(s3, bucket, key, artifact):
            log.info("s3://%s/%s already present (same files, zipped elsewhere), upload "
                     "skipped", bucket, key)
            return "present"
        log.warning("s3://%s/%s does NOT hold the code its key names; replacing it (the "
                    "previous object stays as a noncurrent version)", bucket, key)
    s3.put_object(Bucket=bucket, Key=key, Body=artifact.data, ContentType="application/zip",
                  ChecksumAlgorithm="SHA256", ChecksumSHA256=checksum(artifact),
                  Metadata={"content-sha256": artifact.content_sha256})
    log.info("Uploaded s3://%s/%s", bucket, key)
    return "replaced" if head is not None else "uploaded"
