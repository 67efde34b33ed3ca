"""Render both environments: in-process build_template, `sceptre generate`, CDK synth."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from bench import seed
from bench.measure import Sample, repeat_call, run_process
from data_api_stack import build_template, parse_config
from localdev.localaws import sceptre_cli, without_aws

REPO = Path(__file__).resolve().parents[1]
ENVS = ("dev", "prod")
CODE_KEY = "lambda/api-" + "0" * 64 + ".zip"
RENDER_ONCE = (
    "from data_api_stack import build_template, parse_config\n"
    "for env in ('dev', 'prod'):\n"
    "    build_template(parse_config({'environment': env, 'code_key': %r})).to_json()\n"
    % CODE_KEY)


def in_process(runs: int) -> Sample:
    """Per call: both environments rendered to JSON (imports already done)."""
    configs = [parse_config({"environment": env, "code_key": CODE_KEY}) for env in ENVS]
    sample = repeat_call(lambda: [build_template(c).to_json() for c in configs], runs)
    _, rss, _ = run_process([sys.executable, "-c", RENDER_ONCE])
    return Sample(sample.seconds, rss)


def sceptre_generate(runs: int) -> Sample:
    """Per run: `sceptre generate` of dev and prod, each a fresh CLI process."""
    sceptre, env = sceptre_cli(), without_aws()
    seconds, rss = [], 0.0
    for _ in range(runs):
        total = 0.0
        for name in ENVS:
            wall, peak, out = run_process([sceptre, "--output", "json",
                                           "generate", f"{name}/api.yaml"], env=env,
                                          cwd=str(REPO))
            json.loads(out)
            total, rss = total + wall, max(rss, peak)
        seconds.append(total)
    return Sample(seconds, rss)


def sceptre_generate_all(runs: int) -> Sample:
    """Per run: one `sceptre generate .` printing every stack of both environments."""
    sceptre, env = sceptre_cli(), without_aws()
    results = [run_process([sceptre, "--output", "json", "generate", "."], env=env,
                           cwd=str(REPO)) for _ in range(runs)]
    return Sample([r[0] for r in results], max(r[1] for r in results))


def cdk_synth(runs: int) -> Sample:
    """Per run: the seed's `python app.py` for dev and prod, CDK_OUTDIR outside the app."""
    python = str(seed.cdk_python())
    seconds, rss = [], 0.0
    with tempfile.TemporaryDirectory() as app_dir, tempfile.TemporaryDirectory() as out_root:
        seed.extract(Path(app_dir))
        for run in range(runs):
            total = 0.0
            for name in ENVS:
                out = Path(out_root) / f"{run}-{name}"
                env = {**os.environ, "CDK_OUTDIR": str(out),
                       "CDK_CONTEXT_JSON": json.dumps({"environment": name})}
                wall, peak, _ = run_process([python, "app.py"], env=env, cwd=app_dir)
                if not list(out.glob("*.template.json")):
                    raise RuntimeError(f"CDK synth wrote no template in {out}")
                total, rss = total + wall, max(rss, peak)
            seconds.append(total)
    return Sample(seconds, rss)
