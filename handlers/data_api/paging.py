"""List pages bounded by count, by response bytes and by bytes read.

- Response bytes: Lambda refuses a synchronous response over 6 MB (API Gateway then
  answers 502 to the client), so a page stops before its items, as they appear in
  the Lambda response (the body is a JSON string inside the response's JSON, so `"`
  and `\\` count twice), would pass MAX_PAGE_BYTES; the rest of the response (status,
  headers, the envelope) fits easily in the ~1 MB of headroom left.
- Bytes read: each Scan call reads at most 1 MB (DynamoDB's limit per call) and costs
  up to 128 read capacity units; a request makes at most MAX_SCAN_CALLS of them.
A page may therefore hold fewer than `limit` items while more exist: clients follow
`next` until it is absent. The next key is where the reading stopped: the last item
returned, or past it only items the read's filter left out (expired ones), so pages
never overlap and never skip an item, and a run of expired items is passed over once.
"""

from __future__ import annotations

from typing import Any, Callable, Optional

from data_api import jsonio

MAX_PAGE_BYTES = 5 * 1024 * 1024
MAX_SCAN_CALLS = 4

Scan = Callable[[int, Optional[str]], tuple[list[dict], Optional[str]]]


def wire_size(item: Any) -> int:
    """Bytes `item` takes inside the Lambda response: its JSON (all ASCII: json escapes
    the rest), with `"` and `\\` escaped once more in the response's body string."""
    text = jsonio.dumps(item)
    return len(text) + text.count('"') + text.count("\\") + 1  # + the separating comma


def collect(scan: Scan, to_item: Callable[[dict], dict], limit: int,
            start: Optional[str]) -> tuple[list[dict], Optional[str]]:
    """(items, key to continue after, None on the last page)."""
    items: list[dict] = []
    page_bytes = 0
    position = start
    for _ in range(MAX_SCAN_CALLS):
        raw_items, position = scan(limit - len(items), position)
        for raw in raw_items:
            item = to_item(raw)
            size = wire_size(item)
            if items and page_bytes + size > MAX_PAGE_BYTES:
                return items, items[-1]["id"]
            items.append(item)
            page_bytes += size
        if position is None:
            return items, None
        if len(items) >= limit:
            break
    return items, position
