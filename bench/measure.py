"""Timing helpers: wall time and peak RSS of child processes, min/median summaries."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from dataclasses import dataclass
from typing import Callable, Optional, Sequence


@dataclass(frozen=True)
class Sample:
    seconds: list[float]
    peak_rss_mb: float = 0.0

    @property
    def min(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    def quantile(self, q: float) -> float:
        ordered = sorted(self.seconds)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def run_process(cmd: Sequence[str], env: Optional[dict[str, str]] = None,
                cwd: Optional[str] = None) -> tuple[float, float, bytes]:
    """(wall seconds, peak RSS MB, stdout) of one child process; raises on failure."""
    started = time.perf_counter()
    process = subprocess.Popen(list(cmd), env=env, cwd=cwd, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE)
    out = process.stdout.read() if process.stdout else b""
    err = process.stderr.read() if process.stderr else b""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({process.returncode}): {err.decode()[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, out


def repeat_process(cmd: Sequence[str], runs: int, **kwargs) -> Sample:
    results = [run_process(cmd, **kwargs) for _ in range(runs)]
    return Sample([r[0] for r in results], max(r[1] for r in results))


def repeat_call(fn: Callable[[], object], runs: int, warmup: int = 3) -> Sample:
    for _ in range(warmup):
        fn()
    seconds = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        seconds.append(time.perf_counter() - started)
    return Sample(seconds)
