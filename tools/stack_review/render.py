"""Render revisions: one worker process, which forks one child per revision, so both
revisions render in parallel and each imports its own template code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

from stack_review.revisions import RevisionError

TOOLS = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Job:
    """What to render: a project folder, labelled for messages (`base`, `head`, ...).
    mode: "render" (offline), "render-online" (stack outputs resolved), "deployed"
    (the templates deployed); command_path: a config/ folder, "" for every stack."""
    label: str
    project: Path
    mode: str = "render"
    command_path: str = ""


def render_all(jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Each job's {"stacks": {...}}, all jobs in one worker process (which forks one child
    per job); a failure raises RevisionError naming the job and the renderer's message."""
    env = dict(os.environ)
    # The worker imports stack_review from here, and nothing else of this checkout.
    env["PYTHONPATH"] = os.pathsep.join([str(TOOLS), *filter(None, [env.get("PYTHONPATH")])])
    if all(job.mode == "render" for job in jobs):
        # Rendering is offline: no resolver may reach an account (or wait for one).
        env["AWS_EC2_METADATA_DISABLED"] = "true"
    spec = json.dumps([[str(job.project), job.mode, job.command_path] for job in jobs])
    process = subprocess.run([sys.executable, "-m", "stack_review.worker", spec],
                             cwd=jobs[0].project, env=env, capture_output=True)
    if process.returncode != 0:
        lines = [line for line in process.stderr.decode(errors="replace").splitlines()
                 if line.strip()]
        raise RevisionError(f"renderer failed: {lines[-1] if lines else process.returncode}")
    results = []
    for job, outcome in zip(jobs, json.loads(process.stdout)):
        if not outcome["ok"]:
            raise RevisionError(f"{job.label}: {outcome['error']}")
        results.append(outcome["result"])
    return results
