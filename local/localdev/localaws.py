"""The embedded local AWS: moto's server in its own venv, on a loopback port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Optional

REPO = Path(__file__).resolve().parents[2]
LOCALAWS_PYTHON = REPO / ".venv-localaws" / "bin" / "python"
SERVER_SCRIPT = Path(__file__).with_name("moto_server.py")
# Credentials moto accepts; they never reach AWS because the endpoint is loopback.
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                     "AWS_SESSION_TOKEN": "local"}


class LocalAwsError(RuntimeError):
    """The local AWS could not start; the message says why and what to do."""


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def without_aws(base: Optional[dict[str, str]] = None) -> dict[str, str]:
    """A process environment that reaches no AWS account: no AWS_* variables, no
    config or credentials files, no instance metadata."""
    env = {k: v for k, v in (base if base is not None else os.environ).items()
           if not k.startswith("AWS_")}
    env.update(AWS_CONFIG_FILE=os.devnull, AWS_SHARED_CREDENTIALS_FILE=os.devnull,
               AWS_EC2_METADATA_DISABLED="true")
    return env


def aws_env(endpoint: str, region: str,
            base: Optional[dict[str, str]] = None) -> dict[str, str]:
    """A process environment that sends every AWS SDK call to `endpoint`, in `region`
    (the environment's, from config/: data_api_stack.project.region)."""
    return {**without_aws(base), **DUMMY_CREDENTIALS, "AWS_ENDPOINT_URL": endpoint,
            "AWS_DEFAULT_REGION": region, "AWS_REGION": region}


class LocalAws:
    """Start/stop moto's server; use as a context manager so it always stops."""

    def __init__(self, region: str, port: Optional[int] = None, host: str = "127.0.0.1",
                 log_path: Optional[Path] = None) -> None:
        self.region = region
        self.host = host
        self.port = port or free_port(host)
        self.log_path = log_path
        self.process: Optional[subprocess.Popen] = None

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    def env(self, base: Optional[dict[str, str]] = None) -> dict[str, str]:
        return aws_env(self.endpoint, self.region, base)

    def start(self, timeout: float = 60.0) -> "LocalAws":
        if not LOCALAWS_PYTHON.exists():
            raise LocalAwsError(f"{LOCALAWS_PYTHON} is missing: run `make venv` first")
        if port_in_use(self.port, self.host):
            raise LocalAwsError(f"port {self.port} on {self.host} is already in use")
        log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.process = subprocess.Popen(
            [str(LOCALAWS_PYTHON), str(SERVER_SCRIPT), "--host", self.host,
             "--port", str(self.port), "--parent-pid", str(os.getpid())],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise LocalAwsError(f"local AWS exited with code {self.process.returncode}"
                                    + (f"; see {self.log_path}" if self.log_path else ""))
            try:
                urllib.request.urlopen(f"{self.endpoint}/moto-api/data.json", timeout=1)
                return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise LocalAwsError(f"local AWS did not answer on {self.endpoint} in {timeout:.0f} s")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def __enter__(self) -> "LocalAws":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def sceptre_cli() -> str:
    """The sceptre of the interpreter running us (the project's .venv)."""
    return str(Path(sys.executable).parent / "sceptre")
