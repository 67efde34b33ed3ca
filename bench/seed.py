"""The original CDK design, extracted from the seed document at bench time only.

Nothing of the seed is committed: its app.py, main.py and lambda_function.py are
cut out of ../shared/seed/original-cdk-design.md into a temp dir for each run.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# ../shared/seed next to the checkout (or next to a folder of worktrees holding it).
SEED_DOC = next((d / "shared" / "seed" / "original-cdk-design.md" for d in REPO.parents
                 if (d / "shared" / "seed" / "original-cdk-design.md").exists()),
                REPO.parent / "shared" / "seed" / "original-cdk-design.md")
CDK_VENV = Path.home() / ".cache" / "serverless-data-bench" / "cdk-venv"
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
    """A throwaway venv outside the repo with aws-cdk-lib, created on first use."""
    python = CDK_VENV / "bin" / "python"
    if not python.exists():
        CDK_VENV.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([sys.executable, "-m", "venv", str(CDK_VENV)], check=True)
        subprocess.run([str(CDK_VENV / "bin" / "pip"), "install", "--quiet",
                        "aws-cdk-lib>=2.80.0", "constructs>=10.0.0"], check=True)
    return python
