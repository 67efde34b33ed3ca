"""Render every environment of config/: in-process build_template of each environment's
shipped settings, `sceptre generate`, and the original CDK design's synth of the same
environments (its app takes any suffix as the `environment` context)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from bench import seed
from bench.measure import Sample, repeat_call, run_process
from data_api_stack import build_template, parse_config, project, render
from localdev.localaws import sceptre_cli, without_aws

REPO = Path(__file__).resolve().parents[1]
ENVS = project.environments(REPO)
# The Python processes measured write and read their bytecode as a user's do (this
# machine may set PYTHONDONTWRITEBYTECODE): in a cache outside the tree, warmed once.
BYTECODE = {"PYTHONPYCACHEPREFIX": str(REPO / ".cache" / "bench-pycache")}
# Each environment's settings as `sceptre generate` resolves them, rendered as its
# template handler renders them.
RENDER_ONCE = (
    "import json, sys\n"
    "from data_api_stack import build_template, parse_config, render\n"
    "for settings in json.loads(sys.argv[1]):\n"
    "    render.to_json(build_template(parse_config(settings)))\n")


def python_env(base: dict[str, str]) -> dict[str, str]:
    """`base` for a measured Python process: bytecode cached as by default."""
    return {**{k: v for k, v in base.items() if k != "PYTHONDONTWRITEBYTECODE"}, **BYTECODE}


def shipped_settings() -> list[dict]:
    """Every environment's sceptre_user_data, resolved by Sceptre from config/."""
    return [project.settings(REPO, env) for env in ENVS]


def in_process(runs: int) -> Sample:
    """Per call: every environment's shipped settings rendered to JSON (imports done)."""
    settings = shipped_settings()
    sample = repeat_call(
        lambda: [render.to_json(build_template(parse_config(s))) for s in settings], runs)
    command = [sys.executable, "-c", RENDER_ONCE, json.dumps(settings)]
    env = python_env(dict(os.environ))
    run_process(command, env=env)  # bytecode written
    _, rss, _ = run_process(command, env=env)
    return Sample(sample.seconds, rss)


def _generate(stack: str, env: dict[str, str]) -> tuple[float, float]:
    wall, peak, out = run_process([sceptre_cli(), "--output", "json", "generate", stack],
                                  env=env, cwd=str(REPO))
    json.loads(out)
    return wall, peak


def sceptre_generate(runs: int) -> Sample:
    """Per run: `sceptre --output json generate <env>/api.yaml` of every environment,
    each a fresh CLI process, as the README runs it."""
    env = python_env(without_aws())
    _generate(f"{ENVS[0]}/{project.API_STACK}.yaml", env)  # bytecode written
    seconds, rss = [], 0.0
    for _ in range(runs):
        total = 0.0
        for name in ENVS:
            wall, peak = _generate(f"{name}/{project.API_STACK}.yaml", env)
            total, rss = total + wall, max(rss, peak)
        seconds.append(total)
    return Sample(seconds, rss)


def sceptre_generate_all(runs: int) -> Sample:
    """Per run: one `sceptre generate .` printing every stack of every environment."""
    sceptre, env = sceptre_cli(), python_env(without_aws())
    results = [run_process([sceptre, "--output", "json", "generate", "."], env=env,
                           cwd=str(REPO)) for _ in range(runs)]
    return Sample([r[0] for r in results], max(r[1] for r in results))


def cdk_synth(runs: int) -> Sample:
    """Per run: the seed's `python app.py` for every environment, CDK_OUTDIR outside the
    app, with the same bytecode caching."""
    python = str(seed.cdk_python())
    seconds, rss = [], 0.0
    with tempfile.TemporaryDirectory() as app_dir, tempfile.TemporaryDirectory() as out_root:
        seed.extract(Path(app_dir))
        for run in range(-1, runs):  # run -1 writes the bytecode, unmeasured
            total = 0.0
            for name in ENVS:
                out = Path(out_root) / f"{run}-{name}"
                env = {**python_env(dict(os.environ)), "CDK_OUTDIR": str(out),
                       "CDK_CONTEXT_JSON": json.dumps({"environment": name})}
                wall, peak, _ = run_process([python, "app.py"], env=env, cwd=app_dir)
                if not list(out.glob("*.template.json")):
                    raise RuntimeError(f"CDK synth wrote no template in {out}")
                total, rss = total + wall, max(rss, peak)
            if run >= 0:
                seconds.append(total)
    return Sample(seconds, rss)
