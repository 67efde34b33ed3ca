"""stack-review over two revisions of every stack of config/ vs the seed's
`cdk diff --template` (CDK synth + diff) of every environment, each run a fresh process."""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Optional

from bench import render, seed
from bench.measure import Sample, run_process
from localdev.localaws import without_aws
from stack_review.worker import project_parts

REPO = Path(__file__).resolve().parents[1]
# The CDK CLI (npm) for `cdk diff`, installed once outside the repo.
CDK_CLI_DIR = Path.home() / ".cache" / "serverless-data-bench" / "cdk-cli"
ENVS = render.ENVS  # every environment of config/, as the render rows


def review_repo(root: Path) -> Path:
    """A git repository of the project with one commit, and an uncommitted edit (more
    memory in dev) so that both revisions render and something differs."""
    for name in project_parts(REPO):
        source, target = REPO / name, root / name
        if source.is_dir():
            shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, target)
    git = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.com"]
    for args in (["init", "-q"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(git + args, cwd=root, check=True, capture_output=True)
    config = root / "config" / "dev" / "config.yaml"
    config.write_text(config.read_text() + "sceptre_user_data:\n  memory_mb: 512\n")
    return root


def _timed(cmd: list[str], env: dict[str, str], cwd: str) -> tuple[float, float, bytes]:
    """(wall seconds, CPU seconds of the process and every child it waited for, stdout).
    CPU time says what a run costs whatever else the machine is doing; raises on failure."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    out, err = process.communicate()
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({process.returncode}): {err.decode()[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return elapsed, cpu, out


def stack_review(runs: int) -> tuple[Sample, Sample]:
    """Per run: `stack-review --base HEAD` (base and working tree, every stack):
    (wall, CPU) samples."""
    command = [str(Path(sys.executable).parent / "stack-review"), "--base", "HEAD"]
    with tempfile.TemporaryDirectory() as tmp:
        root = review_repo(Path(tmp))
        env = render.python_env(without_aws())
        _timed(command, env, str(root))  # bytecode written
        results = [_timed(command, env, str(root)) for _ in range(runs)]
    if b"MemorySize: 256 -> 512" not in results[-1][2]:
        raise RuntimeError("stack-review did not report the edit:\n" + results[-1][2].decode())
    return Sample([r[0] for r in results]), Sample([r[1] for r in results])


def cdk_cli() -> tuple[Optional[Path], str]:
    """The CDK CLI from npm `aws-cdk`, installed on first use into a cache outside the
    repo; (None, why) when npm cannot provide it."""
    cdk = CDK_CLI_DIR / "node_modules" / ".bin" / "cdk"
    if cdk.exists():
        return cdk, ""
    if not shutil.which("npm"):
        return None, "npm is not installed"
    CDK_CLI_DIR.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error",
                             "aws-cdk"], cwd=CDK_CLI_DIR, capture_output=True, text=True,
                            timeout=600)
    if result.returncode != 0 or not cdk.exists():
        lines = (result.stderr or result.stdout).strip().splitlines()
        return None, "npm could not install aws-cdk: " + (lines[-1] if lines else "?")
    return cdk, ""


def cdk_diff(runs: int) -> tuple[Optional[tuple[Sample, Sample]], str]:
    """Per run: `cdk diff --template` of every environment, the app synthesized by the CLI and
    compared with the seed's own template (synthesized once beforehand)."""
    cdk, why = cdk_cli()
    if cdk is None:
        return None, why
    python = str(seed.cdk_python())
    env = {**render.python_env(without_aws()), "CDK_DISABLE_VERSION_CHECK": "1",
           "PATH": f"{Path(python).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    seconds, cpu = [], []
    with tempfile.TemporaryDirectory() as app, tempfile.TemporaryDirectory() as out:
        seed.extract(Path(app))
        templates = {}
        for name in ENVS:
            synth_env = {**env, "CDK_OUTDIR": f"{out}/base-{name}",
                         "CDK_CONTEXT_JSON": json.dumps({"environment": name})}
            run_process([python, "app.py"], env=synth_env, cwd=app)
            templates[name] = next(Path(out, f"base-{name}").glob("*.template.json"))
        for run in range(runs):
            total, total_cpu = 0.0, 0.0
            for name in ENVS:
                wall, used, _ = _timed(
                    [str(cdk), "diff", "--app", f"{python} app.py", "--no-notices",
                     "--no-version-reporting", "--context", f"environment={name}",
                     "--output", f"{out}/{run}-{name}", "--template", str(templates[name])],
                    env, app)
                total, total_cpu = total + wall, total_cpu + used
            seconds.append(total)
            cpu.append(total_cpu)
    return (Sample(seconds), Sample(cpu)), ""
