"""The renderer: `python -m stack_review.worker '<jobs>'`, one forked process per revision.

Each job renders every stack of a project folder with Sceptre's own config resolution
(Jinja, resolvers, `!lambda_artifact_key`) into `{"stacks": {"dev/api": {...}}}`. The
parent imports Sceptre, boto3 and Troposphere once, then forks a child per job, so the
revisions render in parallel without paying those imports twice.

Each job has its own process so that the revision's template code is what gets imported:
`templates/api.py` imports `data_api_stack`, which the editable install of .venv maps to
the working tree. The revision's package folders (its pyproject's packages.find `where`)
go first on sys.path; setuptools' editable finder is appended to sys.meta_path, after
the path finder, so the revision's copy wins (see __editable___*_finder.py: install()).
"""

from __future__ import annotations

import json
import os
import sys
import tomllib
from pathlib import Path
from typing import Any


def package_dirs(project: Path) -> list[Path]:
    """The project's own import roots, read from its pyproject.toml."""
    try:
        data = tomllib.loads((project / "pyproject.toml").read_text())
        where = data["tool"]["setuptools"]["packages"]["find"]["where"]
    except (OSError, KeyError, tomllib.TOMLDecodeError):
        where = ["templates"]
    return [project / name for name in where if (project / name).is_dir()]


def project_parts(project: Path) -> list[str]:
    """What a revision of the project is made of for rendering: config/, pyproject.toml
    and the package roots it names (a copy of these renders like the project)."""
    return ["config", "pyproject.toml", *(d.name for d in package_dirs(project))]


def isolate(project: Path) -> None:
    """Put the revision's packages before anything installed."""
    for folder in reversed(package_dirs(project)):
        sys.path.insert(0, str(folder))


def _value(value: Any, online: bool) -> Any:
    """A parameter or tag value as config says it, resolved; offline, resolvers that need
    AWS are shown as Sceptre's own placeholder (`{ !StackOutput(dev/artifacts.yaml::X) }`)."""
    from sceptre.resolvers import Resolver
    from sceptre.resolvers.stack_output import StackOutputBase

    if isinstance(value, StackOutputBase) and not online:
        return f"{{ {value} }}"
    if isinstance(value, Resolver):
        return _value(value.resolve(), online)
    if isinstance(value, dict):
        return {key: _value(item, online) for key, item in value.items()}
    if isinstance(value, list):
        return [_value(item, online) for item in value]
    return value


def plan_of(project: Path, command_path: str = "") -> Any:
    """Sceptre's plan for every stack under config/<command_path> ("" = the project)."""
    from sceptre.context import SceptreContext
    from sceptre.plan.plan import SceptrePlan

    # One stack at a time: rendering is CPU-bound Python (threads would only contend for
    # the GIL), and no two threads then race in Sceptre's or importlib.metadata's lookups
    # (seen once: a child's `file` template handler not found under heavy load).
    return SceptrePlan(SceptreContext(str(project), command_path, max_concurrency=1))


def _protected(stack: Any) -> bool:
    """Whether the stack's updates run under the stack policy (stack_protection); False
    for a revision without it."""
    try:
        from stack_protection.policy import enforced
    except ImportError:
        return False
    return enforced(stack)


def describe(stack: Any, online: bool = False) -> dict[str, Any]:
    """What the review needs of one stack besides its template."""
    return {"external_name": stack.external_name, "region": stack.region,
            "parameters": _value(getattr(stack, "_parameters", {}) or {}, online),
            "tags": _value(getattr(stack, "_tags", {}) or {}, online),
            "protected": _protected(stack)}


def parse_template(body: Any) -> dict[str, Any]:
    """A template body (JSON or YAML text, or already a dict) as a dict."""
    if isinstance(body, dict):
        return body
    text = body.strip()
    if text.startswith("---"):
        text = text[3:]
    try:
        return json.loads(text)
    except ValueError:
        from cfnlint.decode.cfn_yaml import loads  # CloudFormation's YAML tags (!Ref ...)
        return json.loads(json.dumps(loads(text), default=str))


def effective_parameters(given: dict[str, Any], template: dict[str, Any]) -> dict[str, Any]:
    """What CloudFormation holds for the stack: every declared parameter, defaults filled
    in, lists joined as Sceptre sends them, NoEcho values masked as DescribeStacks does."""
    found = {}
    for key, declared in template.get("Parameters", {}).items():
        value = given.get(key, declared.get("Default"))
        if value is None:
            continue
        value = ",".join(map(str, value)) if isinstance(value, list) else str(value)
        found[key] = "****" if str(declared.get("NoEcho")).lower() == "true" else value
    return found


def render(project: Path, command_path: str = "", online: bool = False) -> dict[str, Any]:
    """Every stack under config/<command_path>, rendered (one plan, one process). Online
    (to compare with a deployment), parameters are the effective ones."""
    from contextlib import nullcontext

    from sceptre.resolvers.placeholders import use_resolver_placeholders_on_error

    # Offline, as `sceptre generate` does: a resolver that needs an account (the API
    # stack's template_bucket_name) gets a placeholder; nothing it names is rendered.
    with nullcontext() if online else use_resolver_placeholders_on_error():
        generated = plan_of(project, command_path).generate()
    stacks = {}
    for stack, body in sorted(generated.items(), key=lambda item: item[0].name):
        entry = {**describe(stack, online), "template": parse_template(body)}
        if online:
            entry["parameters"] = effective_parameters(entry["parameters"], entry["template"])
        stacks[stack.name] = entry
    return {"stacks": stacks}


# Installed libraries every rendering needs, imported once before forking; nothing of a
# project (templates, hooks, handlers) is imported before the fork.
PRELOAD = ("sceptre.plan.plan", "sceptre.context", "troposphere", "awacs.aws", "jinja2")


def installed_plugins() -> tuple[str, ...]:
    """Modules of Sceptre plugins installed in site-packages (Sceptre imports every one of
    them per plan); the project's own, installed editable, are left to each revision."""
    import importlib.util
    from importlib.metadata import entry_points

    found = []
    for group in ("sceptre.resolvers", "sceptre.hooks", "sceptre.template_handlers"):
        for point in entry_points(group=group):
            spec = importlib.util.find_spec(point.module.split(".")[0])
            if spec and spec.origin and "site-packages" in Path(spec.origin).parts:
                found.append(point.module)
    return tuple(found)


def run_job(project: Path, mode: str, command_path: str) -> dict[str, Any]:
    """One job in this process: {"ok": true, "result": ...} or {"ok": false, "error": line}."""
    isolate(project)
    os.chdir(project)  # Sceptre's python template loader works relative to the cwd
    try:
        if mode == "deployed":
            from stack_review.deployed import fetch
            return {"ok": True, "result": fetch(project, command_path)}
        return {"ok": True, "result": render(project, command_path, mode == "render-online")}
    except Exception as error:  # every failure becomes the one line the user sees
        message = " ".join(str(error).split()) or type(error).__name__
        return {"ok": False, "error": f"{type(error).__name__}: {message}"}


def _child(job: list[str], fd: int) -> None:
    """In a forked child: run the job, write its JSON to `fd`, never return."""
    code = 0
    try:
        with os.fdopen(fd, "w") as out:
            json.dump(run_job(Path(job[0]).resolve(), job[1], job[2]), out)
    except BaseException:  # noqa: BLE001 - a forked child must not unwind into the parent
        code = 2
    finally:
        os._exit(code)


def main(argv: list[str]) -> int:
    """argv: one JSON list of jobs [[project, render|render-online|deployed, command_path]].
    Prints the JSON list of their results, in order. Each job runs in its own forked
    process (so each imports its own revision's code), all at once."""
    import importlib

    jobs = json.loads(argv[0])
    for name in PRELOAD + installed_plugins():
        try:
            importlib.import_module(name)
        except Exception:  # a plugin that fails to import fails in the job, with its message
            pass
    children = []
    for job in jobs:
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read)
            _child(job, write)
        os.close(write)
        children.append((pid, read))
    results = []
    for pid, read in children:
        with os.fdopen(read, "rb") as pipe:
            data = pipe.read()
        _, status = os.waitpid(pid, 0)
        results.append(data if status == 0 and data else
                       b'{"ok": false, "error": "the renderer process died"}')
    sys.stdout.buffer.write(b"[" + b",".join(results) + b"]")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
