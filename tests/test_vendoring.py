"""Third-party packages declared in handlers/requirements.txt go into the zip, built for Lambda."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from lambda_artifact.build import ArtifactError, build_artifact
from lambda_artifact.source import package, parse_argument
from lambda_artifact.vendor import declared_requirements, vendor


def _handler(root: Path, requirements: str | None = None) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "app" / "__init__.py").write_text("")
    if requirements is not None:
        (root / "requirements.txt").write_text(requirements)
    return root


def test_nothing_declared_means_nothing_vendored(tmp_path):
    assert vendor(_handler(tmp_path / "a"), "arm64", "3.14") is None
    assert vendor(_handler(tmp_path / "b", "# only a comment\n\n"), "arm64", "3.14") is None
    assert declared_requirements(_handler(tmp_path / "c", "six==1.16.0  # pinned\n")) == \
        "six==1.16.0"


def test_declared_package_is_vendored_for_lambda_and_zipped(tmp_path):
    source = _handler(tmp_path / "src", "six==1.16.0\n")
    folder = vendor(source, "arm64", "3.14", cache_root=tmp_path / "cache")
    assert folder is not None and (folder / "six.py").is_file()
    assert vendor(source, "arm64", "3.14", cache_root=tmp_path / "cache") == folder  # cached
    one = build_artifact(source, folder)
    with zipfile.ZipFile(io.BytesIO(one.data)) as archive:
        names = archive.namelist()
    assert "six.py" in names and "app/__init__.py" in names
    assert "requirements.txt" not in names
    assert build_artifact(source, folder).data == one.data


def test_unavailable_package_is_a_clear_error(tmp_path):
    source = _handler(tmp_path / "src", "no-such-package-for-lambda-xyz==0.0.1\n")
    with pytest.raises(ArtifactError, match="could not vendor"):
        vendor(source, "arm64", "3.14", cache_root=tmp_path / "cache")


def test_handler_files_may_not_shadow_vendored_ones(tmp_path):
    source = _handler(tmp_path / "src")
    vendored = tmp_path / "site"
    (vendored / "app").mkdir(parents=True)
    (vendored / "app" / "__init__.py").write_text("x = 1")
    with pytest.raises(ArtifactError, match="shadow"):
        build_artifact(source, vendored)


@pytest.mark.parametrize("argument", [{"source": "handlers", "architecture": "sparc"},
                                      {"source": "handlers", "extra": 1}, {"source": 5}])
def test_bad_dict_arguments_are_quoted(argument):
    with pytest.raises(ValueError, match="you gave"):
        parse_argument(argument, "/project", ValueError)


def test_dict_argument_and_package_agree_with_plain_build(tmp_path):
    folder, architecture = parse_argument({"source": "src", "architecture": "x86_64"},
                                          str(tmp_path), ValueError)
    assert (folder, architecture) == (tmp_path / "src", "x86_64")
    _handler(folder)
    assert package(folder, architecture).key == build_artifact(folder).key


def test_architecture_defaults_to_the_functions(tmp_path):
    from lambda_artifact.source import stack_architecture

    assert stack_architecture({"sceptre_user_data": {"architecture": "x86_64"}}) == "x86_64"
    assert stack_architecture({"sceptre_user_data": {}}) == "arm64"
    assert stack_architecture({}) == "arm64"
    _, arch = parse_argument("src", str(tmp_path), ValueError, "x86_64")
    assert arch == "x86_64"


def test_python_version_defaults_to_the_functions_runtime():
    from lambda_artifact.source import stack_python_version

    assert stack_python_version({"sceptre_user_data": {"runtime": "python3.13"}}) == "3.13"
    assert stack_python_version({"sceptre_user_data": {"runtime": "python3.14"}}) == "3.14"
    assert stack_python_version({}) == "3.14"


@pytest.mark.parametrize("runtime,abi", [("python3.13", "cpython-313"),
                                         ("python3.14", "cpython-314")])
def test_compiled_packages_are_vendored_for_the_runtimes_python(tmp_path, runtime, abi):
    from lambda_artifact.source import stack_python_version

    source = _handler(tmp_path / "src", "markupsafe==3.0.3\n")
    python = stack_python_version({"sceptre_user_data": {"runtime": runtime}})
    folder = vendor(source, "arm64", python, cache_root=tmp_path / "cache")
    assert folder is not None
    (extension,) = (folder / "markupsafe").glob("_speedups.*.so")
    assert abi in extension.name and "aarch64" in extension.name
