"""Packaging: the pure deterministic build, the key, the hook with moto S3, the resolver."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import shutil
import zipfile
from importlib.metadata import entry_points
from pathlib import Path

import boto3
import pytest
from botocore.exceptions import ClientError
from sceptre.exceptions import InvalidHookArgumentValueError, InvalidResolverArgumentError
from sceptre.stack import Stack

from lambda_artifact.build import (SIZE_BUDGET_BYTES, ArtifactError, artifact_key,
                                   build_artifact, zip_content_digest)
from lambda_artifact.hook import LambdaPackagingError, PackageLambda
from lambda_artifact.resolver import LambdaArtifactKey
from tests.helpers import REGION, REPO

FILES = {"pkg/__init__.py": b"", "pkg/app.py": b"def handler(e, c):\n    return 1\n",
         "pkg/data/schema.json": b"{}"}
JUNK = {"pkg/__pycache__/app.cpython-311.pyc": b"\x00", "pkg/app.pyc": b"\x00",
        "tests/test_app.py": b"x", ".env": b"SECRET=1", "pkg/.hidden": b"x",
        "requirements.txt": b"", "pkg/notes.swp": b"x"}


def _write(root: Path, files: dict[str, bytes], reverse: bool = False) -> Path:
    for name in sorted(files, reverse=reverse):
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(files[name])
    return root


def test_same_sources_give_identical_bytes_anywhere(tmp_path):
    one = _write(tmp_path / "a" / "src", FILES)
    two = _write(tmp_path / "elsewhere" / "deeper" / "src", {**FILES, **JUNK}, reverse=True)
    for n, path in enumerate(sorted(two.rglob("*"))):
        os.utime(path, (1_000_000 + n * 7919, 1_000_000 + n * 7919))
        if path.is_file():
            path.chmod(0o600 if n % 2 else 0o755)
    first, second = build_artifact(one), build_artifact(two)
    assert first.data == second.data and first.key == second.key


def test_zip_holds_only_sources_sorted_with_fixed_metadata(tmp_path):
    artifact = build_artifact(_write(tmp_path, {**FILES, **JUNK}))
    with zipfile.ZipFile(io.BytesIO(artifact.data)) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos] == sorted(FILES)
        assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
        assert {(i.external_attr >> 16) & 0o777 for i in infos} == {0o644}
        assert archive.read("pkg/app.py") == FILES["pkg/app.py"]
    assert artifact.file_count == len(FILES)


def test_key_is_content_addressed(tmp_path):
    src = _write(tmp_path, FILES)
    before = build_artifact(src)
    assert before.key == artifact_key(before.content_sha256) == \
        f"lambda/api-{before.content_sha256}.zip"
    os.utime(src / "pkg" / "app.py", (2_000_000_000, 2_000_000_000))
    assert build_artifact(src).key == before.key
    (src / "pkg" / "app.py").write_bytes(b"def handler(e, c):\n    return 2\n")
    assert build_artifact(src).key != before.key


def _rezip(data: bytes, level: int) -> bytes:
    """The same entries (names, modes, bytes), deflated differently: another zlib."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as target:
        for info in source.infolist():
            target.writestr(info, source.read(info), compresslevel=level)
    return out.getvalue()


def test_key_comes_from_the_files_not_the_deflated_bytes(tmp_path):
    artifact = build_artifact(_write(tmp_path, {**FILES, "pkg/big.py": b"x = 1\n" * 5000}))
    other = _rezip(artifact.data, 1)
    assert other != artifact.data
    assert zip_content_digest(other) == artifact.content_sha256
    assert artifact.key.endswith(f"{artifact.content_sha256}.zip")
    assert artifact.content_sha256 != hashlib.sha256(artifact.data).hexdigest()


def test_project_handlers_package_is_small_and_complete():
    artifact = build_artifact(REPO / "handlers")
    with zipfile.ZipFile(io.BytesIO(artifact.data)) as archive:
        names = archive.namelist()
    assert "data_api/handler.py" in names
    assert not any("__pycache__" in n or n.endswith(".pyc") or "egg-info" in n for n in names)
    assert "data_api/contract.py" in names  # the API contract ships with the handler
    assert len(artifact.data) <= SIZE_BUDGET_BYTES


@pytest.mark.parametrize("setup,words", [
    (lambda root: root / "missing", "does not exist"),
    (lambda root: _write(root, {"README.md": b"x"}), "no Python file"),
    (lambda root: _write(root, {"__pycache__/x.pyc": b"x"}), "no Python file"),
])
def test_unpackageable_sources_are_named(tmp_path, setup, words):
    with pytest.raises(ArtifactError, match=words):
        build_artifact(setup(tmp_path))


def _stack(project: Path, bucket: str | None = "artifacts") -> Stack:
    return Stack(name="dev/api", project_code="t", region=REGION,
                 template_handler_config={"type": "file", "path": "api.py"},
                 parameters={"ArtifactBucket": bucket} if bucket else {},
                 config={"project_path": str(project)})


def _run_hook(argument, project: Path, bucket: str | None = "artifacts") -> None:
    hook = PackageLambda(argument, _stack(project, bucket))
    hook.run()


@pytest.fixture()
def s3(aws_credentials):
    from moto import mock_aws

    with mock_aws():
        client = boto3.client("s3", region_name=REGION)
        client.create_bucket(Bucket="artifacts",
                             CreateBucketConfiguration={"LocationConstraint": REGION})
        yield client


@pytest.fixture()
def project(tmp_path) -> Path:
    shutil.copytree(REPO / "handlers", tmp_path / "handlers",
                    ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return tmp_path


def test_hook_uploads_once_then_skips(s3, project, caplog):
    caplog.set_level("INFO")
    key = build_artifact(project / "handlers").key
    _run_hook("handlers", project)
    body = s3.get_object(Bucket="artifacts", Key=key)["Body"].read()
    assert body == build_artifact(project / "handlers").data
    version = s3.head_object(Bucket="artifacts", Key=key).get("LastModified")
    assert any("Uploaded" in r.getMessage() for r in caplog.records)
    assert any("files" in r.getMessage() and "KB" in r.getMessage() for r in caplog.records)
    caplog.clear()
    _run_hook("handlers", project)
    assert any("already present" in r.getMessage() for r in caplog.records)
    assert s3.head_object(Bucket="artifacts", Key=key).get("LastModified") == version
    assert len(s3.list_objects_v2(Bucket="artifacts")["Contents"]) == 1


@pytest.mark.parametrize("argument", [5, "", "   ", "/etc", ["handlers"]])
def test_bad_hook_argument_is_quoted(s3, project, argument):
    with pytest.raises(InvalidHookArgumentValueError, match="you gave"):
        _run_hook(argument, project)


def test_missing_source_folder_fails_before_any_upload(s3, project):
    with pytest.raises(LambdaPackagingError, match="does not exist"):
        _run_hook("nope", project)
    assert "Contents" not in s3.list_objects_v2(Bucket="artifacts")


def test_missing_bucket_is_one_clear_line(s3, project):
    with pytest.raises(LambdaPackagingError, match="'gone' does not exist") as raised:
        _run_hook("handlers", project, bucket="gone")
    assert "\n" not in str(raised.value)


def test_missing_bucket_parameter(s3, project):
    with pytest.raises(InvalidHookArgumentValueError, match="ArtifactBucket"):
        _run_hook("handlers", project, bucket=None)


def test_upload_failure_is_clear_and_a_rerun_succeeds(s3, project, monkeypatch):
    original = boto3.session.Session.client

    def failing_client(self, *args, **kwargs):
        client = original(self, *args, **kwargs)

        def refuse(**_):
            raise ClientError({"Error": {"Code": "AccessDenied", "Message": "denied"}},
                              "PutObject")
        client.meta.events.register("before-call.s3.PutObject", refuse)
        return client

    monkeypatch.setattr(boto3.session.Session, "client", failing_client)
    with pytest.raises(LambdaPackagingError, match="upload to s3://artifacts/.* failed"):
        _run_hook("handlers", project)
    assert "Contents" not in s3.list_objects_v2(Bucket="artifacts")
    monkeypatch.setattr(boto3.session.Session, "client", original)
    _run_hook("handlers", project)
    assert len(s3.list_objects_v2(Bucket="artifacts")["Contents"]) == 1


def test_resolver_gives_the_key_the_hook_uploads(project):
    resolver = LambdaArtifactKey("handlers", _stack(project))
    assert resolver.resolve() == build_artifact(project / "handlers").key
    with pytest.raises(InvalidResolverArgumentError, match="does not exist"):
        LambdaArtifactKey("missing", _stack(project)).resolve()


def test_registered_as_sceptre_entry_points():
    hooks = {ep.name: ep.value for ep in entry_points(group="sceptre.hooks")}
    resolvers = {ep.name: ep.value for ep in entry_points(group="sceptre.resolvers")}
    assert hooks["package_lambda"] == "lambda_artifact.hook:PackageLambda"
    assert resolvers["lambda_artifact_key"] == "lambda_artifact.resolver:LambdaArtifactKey"


def test_hook_uses_the_stacks_connection_manager(s3, project, monkeypatch):
    from sceptre.connection_manager import ConnectionManager

    sessions = []
    original = ConnectionManager.get_session

    def recording(self, *args, **kwargs):
        session = original(self, *args, **kwargs)
        sessions.append((self.region, self.profile, session.region_name))
        return session

    monkeypatch.setattr(ConnectionManager, "get_session", recording)
    _run_hook("handlers", project)
    assert sessions == [(REGION, None, REGION)]


def _sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_upload_carries_a_sha256_checksum_s3_keeps(s3, project):
    _run_hook("handlers", project)
    key = build_artifact(project / "handlers").key
    body = s3.get_object(Bucket="artifacts", Key=key)["Body"].read()
    head = s3.head_object(Bucket="artifacts", Key=key, ChecksumMode="ENABLED")
    assert head["ChecksumSHA256"] == _sha256_b64(body)


def test_upload_asks_s3_to_verify_the_sha256(s3, project, monkeypatch):
    # moto (5.2.5, measured) stores the SHA-256 it computes but does not refuse a wrong
    # x-amz-checksum-sha256 as S3 does (BadDigest), so the header sent is asserted here.
    sent = []
    original = boto3.session.Session.client

    def recording_client(self, *args, **kwargs):
        client = original(self, *args, **kwargs)
        client.meta.events.register("before-call.s3.PutObject",
                                    lambda params, **_: sent.append(params["headers"]))
        return client

    monkeypatch.setattr(boto3.session.Session, "client", recording_client)
    _run_hook("handlers", project)
    (headers,) = sent
    assert headers["x-amz-checksum-sha256"] == _sha256_b64(build_artifact(
        project / "handlers").data)


def _put_other(s3, key: str, body: bytes) -> None:
    s3.put_object(Bucket="artifacts", Key=key, Body=body, ChecksumAlgorithm="SHA256")


def test_existing_object_with_the_same_files_zipped_elsewhere_is_trusted(s3, project, caplog):
    caplog.set_level("INFO")
    artifact = build_artifact(project / "handlers")
    elsewhere = _rezip(artifact.data, 1)
    _put_other(s3, artifact.key, elsewhere)
    _run_hook("handlers", project)
    assert s3.get_object(Bucket="artifacts", Key=artifact.key)["Body"].read() == elsewhere
    assert any("same files" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("body", [b"not a zip", None])
def test_existing_object_with_other_code_is_replaced_loudly(s3, project, caplog, body):
    artifact = build_artifact(project / "handlers")
    if body is None:  # a valid zip of other code
        body = build_artifact(_write(project / "other", FILES)).data
    _put_other(s3, artifact.key, body)
    _run_hook("handlers", project)
    assert s3.get_object(Bucket="artifacts", Key=artifact.key)["Body"].read() == artifact.data
    assert any(r.levelname == "WARNING" and "does NOT hold" in r.getMessage()
               for r in caplog.records)


def test_existing_object_without_a_checksum_is_verified_by_its_files(s3, project, caplog):
    caplog.set_level("INFO")
    artifact = build_artifact(project / "handlers")
    s3.put_object(Bucket="artifacts", Key=artifact.key, Body=artifact.data)  # no checksum
    _run_hook("handlers", project)
    assert any("already present" in r.getMessage() for r in caplog.records)


def test_denied_head_says_s3_listbucket_is_missing(s3, project, monkeypatch):
    original = boto3.session.Session.client

    def denying_client(self, *args, **kwargs):
        client = original(self, *args, **kwargs)

        def deny(**_):
            raise ClientError({"Error": {"Code": "403", "Message": "Forbidden"}}, "HeadObject")
        client.meta.events.register("before-call.s3.HeadObject", deny)
        return client

    monkeypatch.setattr(boto3.session.Session, "client", denying_client)
    with pytest.raises(LambdaPackagingError, match="s3:ListBucket") as raised:
        _run_hook("handlers", project)
    assert "\n" not in str(raised.value)
