"""`stack-review`: review what a change does to every stack of every environment.

Exit codes: 0 reviewed (nothing that --fail-on names), 1 something --fail-on names,
2 an error (bad revision, render failure), with one line on stderr.
"""

from __future__ import annotations

import argparse
import os
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Optional, Sequence

from stack_review import markdown, report, text
from stack_review.discovery import CONFIG, environments
from stack_review.render import Job, render_all
from stack_review.revisions import RevisionError, checkout, resolve


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="stack-review", description="What a change does to every stack of every "
        "environment, offline: replacements, data loss, security changes.")
    p.add_argument("--base", help="git revision to compare from (e.g. main, HEAD~1)")
    p.add_argument("--head", help="git revision to compare to (default: the working tree, "
                   "uncommitted changes included)")
    p.add_argument("--dir", default=".", help="the Sceptre project (default: .)")
    p.add_argument("--format", choices=("text", "markdown"), default="text")
    p.add_argument("--fail-on", action="append", default=[], metavar="WHAT",
                   help="exit 1 on: " + ", ".join(report.FAIL_ON) + " (repeatable, or "
                   "comma-separated)")
    p.add_argument("--deployed", metavar="ENV", help="compare the templates deployed for "
                   "ENV (CloudFormation GetTemplate) with the working tree (or --head)")
    return p


def _fail_on(values: list[str], p: argparse.ArgumentParser) -> list[str]:
    chosen = [v.strip() for value in values for v in value.split(",") if v.strip()]
    for value in chosen:
        if value not in report.FAIL_ON:
            p.error(f"--fail-on: expected one of {', '.join(report.FAIL_ON)}, got {value!r}")
    return chosen


def _label(project: Path, revision: Optional[str]) -> str:
    return f"{revision} ({resolve(project, revision)[:8]})" if revision else "working tree"


def review(args: argparse.Namespace) -> report.Review:
    project = Path(args.dir).resolve()
    if not (project / CONFIG).is_dir():
        raise RevisionError(f"{project} has no {CONFIG}/ folder: not a Sceptre project")
    with ExitStack() as stack:
        head = stack.enter_context(checkout(project, args.head))
        head_label = _label(project, args.head)
        if args.deployed:
            if args.deployed not in environments(head):
                raise RevisionError(f"--deployed: no environment {args.deployed!r} in "
                                    f"{CONFIG}/ (have: {', '.join(environments(head))})")
            old, new = render_all([Job(f"deployed {args.deployed}", head, "deployed",
                                       args.deployed),
                                   Job(head_label, head, "render-online", args.deployed)])
            return report.build(f"deployed {args.deployed}", head_label, old, new)
        base = stack.enter_context(checkout(project, args.base))
        old, new = render_all([Job(_label(project, args.base), base), Job(head_label, head)])
        return report.build(_label(project, args.base), head_label, old, new)


def main(argv: Optional[Sequence[str]] = None) -> int:
    p = parser()
    args = p.parse_args(argv)
    fail_on = _fail_on(args.fail_on, p)
    if bool(args.base) == bool(args.deployed):
        p.error("give --base REV, or --deployed ENV")
    try:
        result = review(args)
    except RevisionError as error:
        print(f"stack-review: error: {error}", file=sys.stderr)
        return 2
    if args.format == "markdown":
        sys.stdout.write(markdown.render(result))
    else:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        sys.stdout.write(text.render(result, colour))
    reasons = report.failures(result, fail_on)
    for reason in reasons:
        print(f"stack-review: fails on {reason}", file=sys.stderr)
    return 1 if reasons else 0


if __name__ == "__main__":
    sys.exit(main())
