"""One prod stack with 1, 5, 10 and the most collections that fit: render time
in-process (config to the JSON Sceptre uploads, as templates/api.py renders it),
template bytes and resource count.

The config is config/prod/api.yaml as `sceptre generate` reads it, its collections
replaced by that many provisioned ones (prod auto scales them: the most resources a
collection adds); "the most that fit" is what limits.py says of one more.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.measure import Sample, repeat_call
from data_api_stack import build_template, render
from data_api_stack.collection import parse_collections
from data_api_stack.limits import LimitError
from data_api_stack.openapi_cli import load_environment

REPO = Path(__file__).resolve().parents[1]
COUNTS = (1, 5, 10)


@dataclass(frozen=True)
class Row:
    collections: int
    render: Sample
    template_bytes: int
    resources: int


def _with(cfg: Any, count: int) -> Any:
    entries = {"data": {}, **{f"c{n:02}": {} for n in range(1, count)}}
    return dataclasses.replace(cfg, collections=parse_collections("collections", entries))


def most_that_fit(cfg: Any, over: int = 100) -> int:
    try:
        build_template(_with(cfg, over))
    except LimitError as error:
        assert error.fit is not None
        return error.fit
    raise AssertionError(f"{over} collections fit one stack: raise `over`")


def rows(runs: int) -> list[Row]:
    prod = load_environment(REPO, "prod").config
    found = []
    for count in (*COUNTS, most_that_fit(prod)):
        cfg = _with(prod, count)
        text = render.to_json(build_template(cfg))
        sample = repeat_call(lambda: render.to_json(build_template(cfg)), runs)
        found.append(Row(count, sample, len(text.encode()), len(json.loads(text)["Resources"])))
    return found


def growth(found: list[Row]) -> list[float]:
    """Render time added per collection between consecutive rows (medians)."""
    return [(b.render.median - a.render.median) / (b.collections - a.collections)
            for a, b in zip(found, found[1:])]
