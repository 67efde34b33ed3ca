"""`make bench`: every benchmark in one run, a table on stdout and in bench/results.md."""

from __future__ import annotations

import os

# Keep the handler's per-request log lines out of the benchmark's output; the
# cold-start children get their own environment and log as in production.
os.environ.setdefault("LOG_LEVEL", "WARNING")

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from bench import render, review, runtime, seed
from bench.measure import repeat_call
from data_api_stack import build_template, parse_config
from lambda_artifact.build import build_artifact
from localdev.localaws import LocalAws

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results.md"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, what: str, ours: str, peer: str, ratio: str, target: str = "",
            met: str = "") -> None:
        self.rows.append((what, ours, peer, ratio, target, met))

    def markdown(self) -> str:
        head = ("Measure", "Ours", "Peer", "Ratio", "Target", "Met")
        lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def bench_render(table: Table, runs: int) -> None:
    ours, cli, cdk = render.in_process(runs * 5), render.sceptre_generate(runs), \
        render.cdk_synth(runs)
    table.add("Render dev+prod, in-process (min / median)", f"{_ms(ours.min)} / {_ms(ours.median)}",
              f"CDK synth {_ms(cdk.min)} / {_ms(cdk.median)}",
              f"{cdk.median / ours.median:.0f}x faster", ">= 100x", _met(cdk.median / ours.median >= 100))
    table.add("Render dev+prod, `sceptre generate` CLI (min / median)",
              f"{_ms(cli.min)} / {_ms(cli.median)}", f"CDK synth {_ms(cdk.min)} / {_ms(cdk.median)}",
              f"{cdk.median / cli.median:.1f}x faster", ">= 8x", _met(cdk.median / cli.median >= 8))
    every = render.sceptre_generate_all(runs)
    table.add("Render every stack of both envs, one `sceptre generate .` (min / median)",
              f"{_ms(every.min)} / {_ms(every.median)}", f"CDK synth {_ms(cdk.median)}",
              f"{cdk.median / every.median:.1f}x faster", "", "")
    table.add("Peak RSS, render in-process / sceptre CLI", f"{ours.peak_rss_mb:.0f} / "
              f"{cli.peak_rss_mb:.0f} MB", f"CDK synth {cdk.peak_rss_mb:.0f} MB",
              f"{cli.peak_rss_mb / cdk.peak_rss_mb:.2f} (CLI)", "<= 0.20",
              _met(cli.peak_rss_mb / cdk.peak_rss_mb <= 0.2))


def bench_runtime(table: Table, runs: int, aws: LocalAws) -> None:
    client = runtime.client_for(aws.endpoint)
    runtime.create_table(client)
    cold = runtime.cold_start(aws.env(), runs)
    floor = cold["floor"].median
    for name in ("ours", "seed"):
        ratio = cold[name].median / floor
        table.add(f"Cold start, fresh interpreter + first GET ({name})",
                  f"{_ms(cold[name].min)} / {_ms(cold[name].median)}",
                  f"floor {_ms(cold['floor'].min)} / {_ms(floor)}", f"{ratio:.3f}x floor",
                  "<= 1.05x" if name == "ours" else "", _met(ratio <= 1.05) if name == "ours" else "")
    for verb, (ours, bare) in runtime.warm(client, runs * 20).items():
        ratio = ours.median / bare.median
        table.add(f"Warm {verb}, handler vs bare boto3 call (median)", _ms(ours.median),
                  _ms(bare.median), f"{ratio:.3f}x", "<= 1.10x", _met(ratio <= 1.10))
    pages_per_s, seen = runtime.list_pages_per_second(client)
    table.add(f"List {seen} items, limit=100", f"{pages_per_s:.1f} pages/s", "", "")
    os.environ.update(aws.env())
    template = json.loads(build_template(parse_config(
        {"environment": "dev", "code_key": "lambda/api-" + "0" * 64 + ".zip"})).to_json())
    server, base = runtime.start_local_api(template, aws.endpoint)
    try:
        direct, direct_rps = runtime.direct_calls(client, 200)
        for concurrency in (1, 8):
            sample, rps = runtime.local_api(base, concurrency, 400)
            table.add(f"Local API GET, concurrency {concurrency} (p50 / p99)",
                      f"{_ms(sample.median)} / {_ms(sample.quantile(0.99))}, {rps:.0f} req/s",
                      f"direct handler {_ms(direct.median)} / {_ms(direct.quantile(0.99))}, "
                      f"{direct_rps:.0f} req/s", f"{sample.median / direct.median:.1f}x")
    finally:
        server.shutdown()


def bench_artifact(table: Table, runs: int) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        for target in (one, two):
            shutil.copytree(REPO / "handlers", Path(target) / "handlers",
                            ignore=shutil.ignore_patterns("__pycache__"))
        first, second = build_artifact(Path(one) / "handlers"), build_artifact(Path(two) / "handlers")
        timing = repeat_call(lambda: build_artifact(Path(one) / "handlers"), runs * 5)
    size = len(first.data)
    table.add("Artifact zip", f"{size / 1024:.1f} KB, build {_ms(timing.median)}",
              "", "identical rebuild: " + ("yes" if first.data == second.data else "NO"),
              "<= 32 KB", _met(size <= 32 * 1024 and first.data == second.data))


def bench_review(table: Table, runs: int) -> None:
    ours, ours_cpu = review.stack_review(runs)
    peer, why = review.cdk_diff(runs)
    what = ("Review both revisions, every stack of dev+prod+account, `stack-review` "
            "(wall min / median; CPU median)")
    mine = f"{_ms(ours.min)} / {_ms(ours.median)}; CPU {_ms(ours_cpu.median)}"
    if peer is None:
        table.add(what, mine, f"cdk diff: not run ({why})", "", ">= 10x, < 2 s",
                  _met(ours.median < 2))
        return
    wall, cpu = peer
    ratio = wall.median / ours.median
    table.add(what, mine, f"`cdk diff --template` dev+prod {_ms(wall.min)} / {_ms(wall.median)}"
              f"; CPU {_ms(cpu.median)}", f"{ratio:.1f}x faster (CPU "
              f"{cpu.median / ours_cpu.median:.1f}x less)", ">= 10x, < 2 s",
              _met(ratio >= 10 and ours.median < 2))


def _header(runs: int) -> str:
    cdk = subprocess.run([str(seed.cdk_python()), "-c", "import aws_cdk, importlib.metadata as m;"
                          "print(m.version('aws-cdk-lib'))"], capture_output=True, text=True)
    return "\n".join([
        "# Benchmark results", "",
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        f"- Python {platform.python_version()}; sceptre {version('sceptre')}, troposphere "
        f"{version('troposphere')}, boto3 {version('boto3')}, moto {version('moto')}, "
        f"aws-cdk-lib {cdk.stdout.strip() or '?'}, node {shutil.which('node') and subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}",
        f"- Runs: {runs} per process measure (render in-process: {runs * 5}; warm: {runs * 20})",
        "- Reproduce: `make bench` (writes this file).", ""])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", choices=("review",),
                        help="run one row and print it; bench/results.md is left as it is")
    args = parser.parse_args()
    table = Table()
    if args.only == "review":
        bench_review(table, args.runs)
        print(table.markdown())
        return
    bench_render(table, args.runs)
    bench_artifact(table, args.runs)
    bench_review(table, args.runs)
    with LocalAws() as aws:
        bench_runtime(table, args.runs, aws)
    notes = (REPO / "bench" / "NOTES.md").read_text() if (REPO / "bench" / "NOTES.md").exists() else ""
    text = _header(args.runs) + "\n" + table.markdown() + "\n\n" + notes
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
