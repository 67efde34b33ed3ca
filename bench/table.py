"""The results table: rows in, markdown out, and back (the measures a text holds)."""

from __future__ import annotations

HEAD = ("Measure", "Ours", "Peer", "Ratio", "Target", "Met")


class Table:
    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = []

    def add(self, what: str, ours: str, peer: str, ratio: str, target: str = "",
            met: str = "") -> None:
        self.rows.append((what, ours, peer, ratio, target, met))

    def markdown(self) -> str:
        lines = ["| " + " | ".join(HEAD) + " |", "|" + "---|" * len(HEAD)]
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        return "\n".join(lines)


def rows(text: str) -> list[list[str]]:
    """The cells of every row of the results table found in `text` (head excluded)."""
    found, inside = [], False
    for line in text.splitlines():
        cells = [cell.strip() for cell in line.strip()[1:-1].split("|")]
        if line.startswith("| ") and tuple(cells) == HEAD:
            inside = True
        elif inside and line.startswith("|---"):
            continue
        elif inside and line.startswith("| "):
            found.append(cells)
        elif inside:
            break
    return found


def measures(text: str) -> list[str]:
    """The Measure column of the results table in `text`, in order."""
    return [cells[0] for cells in rows(text)]
