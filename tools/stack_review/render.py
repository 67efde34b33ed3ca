"""Render revisions: one worker process per revision, started together, so both
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


def _command(job: Job) -> list[str]:
    return [sys.executable, "-m", "stack_review.worker", str(job.project), job.mode,
            job.command_path]


def _environment(job: Job) -> dict[str, str]:
    env = dict(os.environ)
    # The worker imports stack_review from here, and nothing else of this checkout.
    env["PYTHONPATH"] = os.pathsep.join([str(TOOLS), *filter(None, [env.get("PYTHONPATH")])])
    if job.mode == "render":
        # Rendering is offline: no resolver may reach an account (or wait for one).
        env.update(AWS_EC2_METADATA_DISABLED="true")
    return env


def render_all(jobs: Sequence[Job]) -> list[dict[str, Any]]:
    """Each job's {"stacks": {...}}; a failure raises RevisionError naming the job."""
    processes = [subprocess.Popen(_command(job), cwd=job.project, env=_environment(job),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for job in jobs]
    outputs = [process.communicate() for process in processes]
    results = []
    for job, process, (out, err) in zip(jobs, processes, outputs):
        if process.returncode != 0:
            lines = [line for line in err.decode(errors="replace").splitlines() if line.strip()]
            raise RevisionError(f"{job.label}: {lines[-1] if lines else 'renderer failed'}")
        results.append(json.loads(out))
    return results
