"""`make bench`: every benchmark in one run, a table on stdout and in bench/results.md.

`--quick` (what `make test` runs): one pass of every row with small counts, printed
only; bench/results.md is left as it is."""

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
from dataclasses import dataclass
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path

from bench import callers, collections, render, review, runtime, seed
from bench.measure import repeat_call
from bench.table import Table
from data_api_stack import build_template, parse_config, project
from lambda_artifact.build import SIZE_BUDGET_BYTES, build_artifact
from localdev.localaws import LocalAws

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results.md"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


@dataclass(frozen=True)
class Sizes:
    """How much each row measures: `runs` per process measure, and the counts of the
    in-process ones."""

    runs: int
    in_process: int
    warm: int
    list_items: int
    direct_requests: int
    local_requests: int

    @classmethod
    def full(cls, runs: int) -> "Sizes":
        return cls(runs, runs * 5, runs * 20, 10_000, 200, 400)

    @classmethod
    def quick(cls) -> "Sizes":
        """One pass of every row, with counts just large enough to exercise it."""
        return cls(1, 1, 2, 250, 8, 16)


def _met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def bench_render(table: Table, sizes: Sizes) -> None:
    runs = sizes.runs
    ours, cli, cdk = render.in_process(sizes.in_process), render.sceptre_generate(runs), \
        render.cdk_synth(runs)
    envs = "+".join(render.ENVS)
    table.add(f"Render every environment ({envs}), in-process (min / median)", f"{_ms(ours.min)} / {_ms(ours.median)}",
              f"CDK synth {_ms(cdk.min)} / {_ms(cdk.median)}",
              f"{cdk.median / ours.median:.0f}x faster", ">= 100x", _met(cdk.median / ours.median >= 100))
    table.add(f"Render every environment ({envs}), `sceptre generate` CLI (min / median)",
              f"{_ms(cli.min)} / {_ms(cli.median)}", f"CDK synth {_ms(cdk.min)} / {_ms(cdk.median)}",
              f"{cdk.median / cli.median:.1f}x faster", ">= 8x", _met(cdk.median / cli.median >= 8))
    every = render.sceptre_generate_all(runs)
    table.add(f"Render every stack of every environment, one `sceptre generate .` (min / median)",
              f"{_ms(every.min)} / {_ms(every.median)}", f"CDK synth {_ms(cdk.median)}",
              f"{cdk.median / every.median:.1f}x faster", "", "")
    table.add("Peak RSS, render in-process / sceptre CLI", f"{ours.peak_rss_mb:.0f} / "
              f"{cli.peak_rss_mb:.0f} MB", f"CDK synth {cdk.peak_rss_mb:.0f} MB",
              f"{cli.peak_rss_mb / cdk.peak_rss_mb:.2f} (CLI)", "<= 0.20",
              _met(cli.peak_rss_mb / cdk.peak_rss_mb <= 0.2))


def bench_collections(table: Table, sizes: Sizes) -> None:
    """One prod stack's render time, template and resources as collections are added."""
    found = collections.rows(sizes.in_process)
    largest = found[-1]
    for row in found:
        most = row is largest
        table.add(f"One prod stack, {row.collections} collection"
                  f"{'' if row.collections == 1 else 's'}"
                  + (" (the most that fit)" if most else "") + ": render in-process "
                  "(min / median)", f"{_ms(row.render.min)} / {_ms(row.render.median)}",
                  f"{row.template_bytes / 1024:.0f} KB, {row.resources} resources", "",
                  "< 50 ms" if most else "", _met(row.render.median < 0.05) if most else "")
    steps = collections.growth(found)
    table.add("Render time added per collection, 1->5 / 5->10 / 10->most (median)",
              " / ".join(_ms(step) for step in steps), "", f"{steps[-1] / steps[0]:.2f}x "
              "last/first", "<= 1.5x (linear)", _met(steps[-1] / steps[0] <= 1.5))


def bench_runtime(table: Table, sizes: Sizes, aws: LocalAws) -> None:
    """Every row with access control on: the function's environment as deployed."""
    os.environ.update(runtime.function_env())
    client = runtime.client_for(aws.endpoint, aws.region)
    runtime.create_table(client)
    cold = runtime.cold_start(aws.env(), sizes.runs)
    floor = cold["floor"].median
    for name in ("ours", "seed"):
        ratio = cold[name].median / floor
        table.add(f"Cold start, fresh interpreter + first GET ({name})",
                  f"{_ms(cold[name].min)} / {_ms(cold[name].median)}",
                  f"floor {_ms(cold['floor'].min)} / {_ms(floor)}", f"{ratio:.3f}x floor",
                  "<= 1.05x" if name == "ours" else "", _met(ratio <= 1.05) if name == "ours" else "")
    for verb, (ours, bare) in runtime.warm(client, sizes.warm).items():
        ratio = ours.median / bare.median
        table.add(f"Warm {verb}, handler vs bare boto3 call (median)", _ms(ours.median),
                  _ms(bare.median), f"{ratio:.3f}x", "<= 1.10x", _met(ratio <= 1.10))
    pages_per_s, seen = runtime.list_pages_per_second(client, sizes.list_items)
    table.add("List every item, GET /data pages of limit=100",
              f"{pages_per_s:.1f} pages/s ({seen} items)", "", "")
    bench_local_api(table, sizes, aws, client)


def bench_local_api(table: Table, sizes: Sizes, aws: LocalAws, client: object) -> None:
    """GET through the local API of the dev template, its Cognito authorizer verifying a
    reader's token on every request, against the same event handed to the handler."""
    os.environ.update(aws.env())
    template = json.loads(build_template(parse_config(project.settings(REPO, "dev"))).to_json())
    with callers.token_pool() as (authorizers, token):
        server, base = runtime.start_local_api(template, authorizers)
        try:
            _local_api_rows(table, sizes, client, base, token)
        finally:
            server.shutdown()
            server.server_close()


def _local_api_rows(table: Table, sizes: Sizes, client: object, base: str, token: str) -> None:
    direct, direct_rps = runtime.direct_calls(client, sizes.direct_requests)
    for concurrency in (1, 8):
        sample, rps = runtime.local_api(base, token, concurrency, sizes.local_requests)
        table.add(f"Local API GET, concurrency {concurrency} (p50 / p99)",
                  f"{_ms(sample.median)} / {_ms(sample.quantile(0.99))}, {rps:.0f} req/s",
                  f"direct handler {_ms(direct.median)} / {_ms(direct.quantile(0.99))}, "
                  f"{direct_rps:.0f} req/s", f"{sample.median / direct.median:.1f}x")


def bench_artifact(table: Table, sizes: Sizes) -> None:
    with tempfile.TemporaryDirectory() as one, tempfile.TemporaryDirectory() as two:
        for target in (one, two):
            shutil.copytree(REPO / "handlers", Path(target) / "handlers",
                            ignore=shutil.ignore_patterns("__pycache__"))
        first, second = build_artifact(Path(one) / "handlers"), build_artifact(Path(two) / "handlers")
        timing = repeat_call(lambda: build_artifact(Path(one) / "handlers"), sizes.in_process)
    size = len(first.data)
    table.add("Artifact zip", f"{size / 1024:.1f} KB, build {_ms(timing.median)}",
              "", "identical rebuild: " + ("yes" if first.data == second.data else "NO"),
              f"<= {SIZE_BUDGET_BYTES // 1024} KB",
              _met(size <= SIZE_BUDGET_BYTES and first.data == second.data))


def bench_review(table: Table, runs: int) -> None:
    ours, ours_cpu = review.stack_review(runs)
    peer, why = review.cdk_diff(runs)
    what = ("Review both revisions, every stack of config/, `stack-review` "
            "(wall min / median; CPU median)")
    mine = f"{_ms(ours.min)} / {_ms(ours.median)}; CPU {_ms(ours_cpu.median)}"
    if peer is None:
        table.add(what, mine, f"cdk diff: not run ({why})", "", ">= 10x, < 2 s",
                  _met(ours.median < 2))
        return
    wall, cpu = peer
    ratio = wall.median / ours.median
    table.add(what, mine, f"`cdk diff --template` {'+'.join(review.ENVS)} {_ms(wall.min)} / {_ms(wall.median)}"
              f"; CPU {_ms(cpu.median)}", f"{ratio:.1f}x faster (CPU "
              f"{cpu.median / ours_cpu.median:.1f}x less)", ">= 10x, < 2 s",
              _met(ratio >= 10 and ours.median < 2))


def _header(sizes: Sizes) -> str:
    cdk = subprocess.run([str(seed.cdk_python()), "-c", "import aws_cdk, importlib.metadata as m;"
                          "print(m.version('aws-cdk-lib'))"], capture_output=True, text=True)
    return "\n".join([
        "# Benchmark results", "",
        f"- Date: {datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}",
        f"- Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.platform()}",
        f"- Python {platform.python_version()}; sceptre {version('sceptre')}, troposphere "
        f"{version('troposphere')}, boto3 {version('boto3')}, moto {version('moto')}, "
        f"aws-cdk-lib {cdk.stdout.strip() or '?'}, node {shutil.which('node') and subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}",
        f"- Runs: {sizes.runs} per process measure (render in-process: {sizes.in_process}; "
        f"warm: {sizes.warm}; local API: {sizes.local_requests} requests per concurrency)",
        "- Reproduce: `make bench` (writes this file).", ""])


def run_all(sizes: Sizes) -> Table:
    """Every row, in the order of the results table."""
    table = Table()
    bench_render(table, sizes)
    bench_collections(table, sizes)
    bench_artifact(table, sizes)
    bench_review(table, sizes.runs)
    with LocalAws(project.region(REPO, "dev")) as aws:
        bench_runtime(table, sizes, aws)
    return table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", choices=("review",),
                        help="run one row and print it; bench/results.md is left as it is")
    parser.add_argument("--quick", action="store_true",
                        help="one pass of every row with small counts, printed only; "
                             "bench/results.md is left as it is")
    args = parser.parse_args()
    if args.only == "review":
        table = Table()
        bench_review(table, args.runs)
        print(table.markdown())
        return
    sizes = Sizes.quick() if args.quick else Sizes.full(args.runs)
    table = run_all(sizes)
    if args.quick:
        print(_header(sizes) + "\n" + table.markdown())
        return
    notes = (REPO / "bench" / "NOTES.md").read_text() if (REPO / "bench" / "NOTES.md").exists() else ""
    text = _header(sizes) + "\n" + table.markdown() + "\n\n" + notes
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
