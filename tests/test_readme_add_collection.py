"""README "Add a collection", its five steps run as written on a copy of the project:
the YAML block into config/dev/config.yaml, then each step's commands in bash from the
copy's root, `make up` in the background as its own terminal would run it. Only the
port differs (a free one for the README's 3000, through make's PORT)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from localdev.localaws import free_port
from tests.helpers import REPO, copy_env, runnable_copy
from tests.up_runner import READY_LINE, alive, children

pytestmark = pytest.mark.e2e


def steps() -> list[tuple[str, str]]:
    """(language, text) of each numbered step's code block, in order."""
    readme = (REPO / "README.md").read_text()
    section = readme.split("\n## Add a collection\n", 1)[1].split("\n## ", 1)[0]
    found = []
    for number in range(1, 6):
        step = section.split(f"\n{number}. ", 1)[1]
        step = step.split(f"\n{number + 1}. ", 1)[0]
        block = re.search(r"\n( *)```(\w+)\n(.*?)\n *```", step, re.S)
        assert block, f"step {number} has no code block"
        fence, language, text = len(block.group(1)), block.group(2), block.group(3)
        found.append((language, "\n".join(line[fence:] for line in text.splitlines())))
    return found


def test_the_readme_has_five_steps_from_yaml_to_curl():
    languages = [language for language, _ in steps()]
    assert languages == ["yaml", "bash", "bash", "bash", "bash"]
    assert "make up" in steps()[2][1] and "curl" in steps()[4][1]


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    return runnable_copy(tmp_path / "project")


def _bash(script: str, project: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", "-euo", "pipefail", "-c", script], cwd=project, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture()
def running(project: Path) -> Iterator[tuple[Path, dict[str, str], int]]:
    """Steps 1 and 2, then step 3 (`make up`) running until the test ends."""
    (yaml_block, render_step, up_step) = [text for _, text in steps()[:3]]
    port = free_port()
    env = copy_env(project, PORT=str(port))
    settings = project / "config" / "dev" / "config.yaml"
    text = settings.read_text()
    assert "sceptre_user_data:" not in text, "dev has settings: the block would repeat the key"
    assert yaml_block.startswith("sceptre_user_data:\n")
    settings.write_text(text.rstrip("\n") + "\n" + yaml_block.rstrip() + "\n")
    rendered = _bash(render_step, project, env)
    assert rendered.returncode == 0, rendered.stdout + rendered.stderr
    assert "OrdersTable" in json.loads((project / "dev.json").read_text())["Resources"]
    up = subprocess.Popen(["bash", "-c", up_step], cwd=project, env=env, text=True,
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          start_new_session=True)  # its own process group, as a terminal's
    output: list[str] = []
    try:
        deadline = time.monotonic() + 300
        assert up.stdout is not None
        for line in up.stdout:
            output.append(line)
            if line.startswith(READY_LINE) or time.monotonic() > deadline:
                break
        text = "".join(output)
        assert READY_LINE in text, text
        assert f"http://127.0.0.1:{port}/dev" in text and "/orders" in text, text
        # The runner under make is the copy's localdev (its state is in the copy).
        assert (project / ".cache" / "localdev" / "dev" / "up.lock").exists(), text
        yield project, env, port
    finally:
        helpers = [pid for child in children(up.pid) for pid in [child, *children(child)]]
        os.killpg(up.pid, signal.SIGINT)  # Ctrl-C in its terminal
        try:
            up.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(up.pid, signal.SIGKILL)
            up.wait()
        for pid in helpers:
            for _ in range(100):
                if not alive(pid):
                    break
                time.sleep(0.2)
            else:
                os.kill(pid, signal.SIGKILL)


def test_the_five_steps_give_a_curl_that_works(running):
    project, env, port = running
    token_step, call_step = [text for _, text in steps()[3:]]
    script = token_step + "\n" + call_step.replace("127.0.0.1:3000", f"127.0.0.1:{port}")
    called = _bash(script, project, env)
    assert called.returncode == 0, called.stdout + called.stderr
    decoder, answers, at = json.JSONDecoder(), [], 0  # curl prints each body, no newline
    while at < len(called.stdout.rstrip()):
        answer, at = decoder.raw_decode(called.stdout, at)
        answers.append(answer)
    created, read = answers
    assert created["id"] == read["id"] == "o-1", called.stdout
    assert read["data"] == {"customer_id": "c-1", "total": 12.5}
    # The token's rights are exactly the step's: writer of orders, nothing on data.
    token = _bash(token_step + '\necho "$TOKEN"', project, env).stdout.strip()
    refused = _bash(f"curl -s -o /dev/null -w '%{{http_code}}' -H 'Authorization: Bearer "
                    f"{token}' http://127.0.0.1:{port}/dev/data", project, env)
    assert refused.stdout == "403", refused.stdout + refused.stderr
