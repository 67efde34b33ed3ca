"""`make up` for two environments at once, PORT=0, and `kill -9` of the runner."""

from __future__ import annotations

import signal

import pytest

from tests.up_runner import UpRunner, create_and_read, wait_gone

pytestmark = pytest.mark.e2e


def test_dev_and_prod_side_by_side_on_free_ports_and_kill_9_leaves_nothing():
    dev, prod = UpRunner("--env", "dev", "--port", "0"), UpRunner("--env", "prod", "--port", "0")
    try:
        for runner, env in ((dev, "dev"), (prod, "prod")):
            text = runner.ready()
            assert "Local API: http://127.0.0.1:" in text, text
            base = runner.api_base()
            assert base.endswith(f"/{env}") and ":0/" not in base  # the real port
            assert runner.helpers, "the local AWS runs as a child process"
        assert dev.api_base() != prod.api_base()
        assert create_and_read(dev.api_base(), "side", dev.token()) == 1
        assert create_and_read(prod.api_base(), "side", prod.token()) == 1
        dev.process.send_signal(signal.SIGKILL)  # no cleanup runs in the runner
        dev.process.wait(timeout=30)
        for pid in dev.helpers:
            assert wait_gone(pid), f"local AWS {pid} outlived its killed runner"
        assert create_and_read(prod.api_base(), "still", prod.token()) == 1  # prod is unaffected
        prod.process.send_signal(signal.SIGINT)
        assert prod.process.wait(timeout=60) == 0
        for pid in prod.helpers:
            assert wait_gone(pid)
    finally:
        dev.stop()
        prod.stop()
