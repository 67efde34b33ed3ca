"""The original CDK design, extracted from the seed document at bench time only.

Nothing of the seed is committed: its app.py, main.py and lambda_function.py are
cut out of ../shared/seed/original-cdk-design.md into a temp dir for each run.
"""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# ../shared/seed next to the checkout (or next to a folder of worktrees holding it).
SEED_DOC = next((d / "shared" / "seed" / "original-cdk-design.md" for d in REPO.parents
                 if (d / "shared" / "seed" / "original-cdk-design.md").exists()),
                REPO.parent / "shared" / "seed" / "original-cdk-design.md")
FILES = {"app.py": "## 2. app.py", "main.py": "## 3. main.py",
         "lambda_function.py": "## 4. lambda_function.py"}


def extract(target: Path) -> Path:
    """Write the seed's three Python files into `target`."""
    text = SEED_DOC.read_text()
    for name, heading in FILES.items():
        section = text[text.index(heading):]
        match = re.search(r"```python\n(.*?)```", section, re.S)
        if not match:
            raise RuntimeError(f"no python block under {heading!r} in {SEED_DOC}")
        (target / name).write_text(match.group(1))
    return target


def cdk_python() -> Path:
    """The project's .venv-cdk (aws-cdk-lib, requirements-cdk.txt; `make venv` builds it)."""
    python = REPO / ".venv-cdk" / "bin" / "python"
    if not python.exists():
        raise RuntimeError(f"{python} is missing: `make venv` builds it")
    return python
