"""`make up`'s refusals: a second run, or a busy port, is one clear line, not a traceback."""

from __future__ import annotations

import fcntl
import socket

import pytest

from localdev import up


@pytest.fixture()
def state_dir(tmp_path, monkeypatch):
    monkeypatch.setattr(up, "STATE_DIR", tmp_path)
    return tmp_path


def test_busy_port_is_one_line(state_dir, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert up.main(["--port", str(port)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: port {port} on 127.0.0.1 is in use") and "Traceback" not in err


def test_second_run_is_refused(state_dir, capsys):
    with open(state_dir / "up.lock", "w") as held:
        held.write("4242")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert up.main(["--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "already running (pid 4242)" in err and "Traceback" not in err


def test_unknown_environment(state_dir, capsys):
    assert up.main(["--env", "nope"]) == 2
    assert "no environment 'nope'" in capsys.readouterr().err
