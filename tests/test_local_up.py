"""`make up`'s refusals: a second run, or a busy port, is one clear line, not a traceback."""

from __future__ import annotations

import fcntl
import socket
import subprocess

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
    (state_dir / "dev").mkdir()
    with open(state_dir / "dev" / "up.lock", "w") as held:
        held.write("4242")
        held.flush()
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        assert up.main(["--port", "0"]) == 1
    err = capsys.readouterr().err
    assert "already running for dev (pid 4242)" in err and "Traceback" not in err


def test_unknown_environment(state_dir, capsys):
    assert up.main(["--env", "nope"]) == 2
    assert "no environment 'nope'" in capsys.readouterr().err


@pytest.mark.parametrize("port", ["abc", "70000", "-1", "3.5", ""])
def test_bad_port_is_one_line(state_dir, capsys, port):
    assert up.main(["--port", port]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: PORT must be a number from 1 to 65535")
    assert err.count("\n") == 1 and repr(port) in err


def test_one_environments_lock_does_not_block_another(state_dir):
    dev = up._lock(state_dir / "dev", "dev")
    try:
        up._lock(state_dir / "prod", "prod").close()
        with pytest.raises(up.UpError, match="already running for dev"):
            up._lock(state_dir / "dev", "dev")
    finally:
        dev.close()


def test_first_run_says_what_it_installs_before_installing():
    from tests.helpers import REPO

    out = subprocess.run(["make", "-n", "-B", "up"], cwd=REPO, capture_output=True,
                         text=True, check=True).stdout
    for venv in (".venv-localaws", ".venv"):
        said = out.index(f"Installing {venv}:")
        assert said < out.index(f"{venv}/bin/pip install", said)


def test_banner_lines_for_further_collections_come_from_the_function_env():
    base = "http://127.0.0.1:3000/dev"
    env = {"COLLECTIONS": '{"/data":"t-items","/orders":"t-orders","/people":"t-people"}'}
    assert up.collection_lines(base, env, " -H x") == [
        f"  curl -s '{base}/orders?limit=10' -H x    # collection /orders",
        f"  curl -s '{base}/people?limit=10' -H x    # collection /people"]
    # The default collection only (the /data lines cover it), or no readable variable.
    for only_data in ({"COLLECTIONS": '{"/data":"t-items"}'}, {}, {"COLLECTIONS": "{"}):
        assert up.collection_lines(base, only_data) == []
