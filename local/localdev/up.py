"""`make up`: local AWS, the real `sceptre launch -y <env>`, then the local API.

Ctrl-C (or SIGTERM/SIGHUP to this process) stops everything this started; if this
process is killed outright, the local AWS notices and exits too. Each environment
has its own lock and log under .cache/localdev/<env>/, so dev and prod can run side
by side on different ports. A second `make up` of one environment, a taken or bad
port gets a one-line explanation instead of a traceback. PORT=0 picks a free port.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Optional

from data_api import collection_env, routes
from data_api_stack import ids
from data_api_stack import project as project_stacks
from data_api_stack.config import ConfigError
from data_api_stack.openapi_cli import document, load_environment
from localdev import iam_callers, tokens
from localdev.apiserver import LocalApi, serve
from localdev.authorizer import build_authorizers
from localdev.docs import DOCS_PATH, OPENAPI_PATH
from localdev.localaws import REPO, LocalAws, LocalAwsError, port_in_use, sceptre_cli
from localdev.stack import read_stack

STATE_DIR = REPO / ".cache" / "localdev"


class UpError(RuntimeError):
    """A reason `make up` cannot go on, said in one line."""


def _lock(state: Path, env: str) -> IO[str]:
    state.mkdir(parents=True, exist_ok=True)
    handle = open(state / "up.lock", "a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        pid = handle.read().strip() or "?"
        raise UpError(f"`make up` is already running for {env} (pid {pid}); use it, or stop "
                      f"it with Ctrl-C in its terminal or `kill {pid}`") from None
    handle.truncate(0)
    handle.write(str(os.getpid()))
    handle.flush()
    return handle


def _curl_lines(base: str, auth: str = "", reader: str = "") -> str:
    """Ready-to-paste requests; `auth`/`reader`: a writer's/reader's header option."""
    return "\n".join([
        f"  curl -s -X POST {base}/data{auth} -H 'Content-Type: application/json' "
        "-d '{\"id\": \"hello\", \"data\": {\"msg\": \"hi\"}}'",
        f"  curl -s {base}/data/hello{reader or auth}",
        f"  curl -s -X PUT {base}/data/hello{auth} -H 'Content-Type: application/json' "
        "-H 'If-Match: *' -d '{\"data\": {\"msg\": \"bye\"}}'",
        f"  curl -s '{base}/data?limit=10'{reader or auth}",
        f"  curl -s -i -X DELETE {base}/data/hello{auth}",
        f"  curl -s -i -X OPTIONS {base}/data -H 'Origin: https://example.com'",
    ] + ([f"  curl -s -i -X POST {base}/data{reader} -d '{{}}'    # a reader's write: 403",
          f"  curl -s -i {base}/data    # no token: 401"] if reader else []))


def collection_lines(base: str, function_env: dict[str, str], auth: str = "") -> list[str]:
    """A line listing each collection the launched function serves besides /data, from
    its COLLECTIONS variable (path -> table, data_api.collection_env), in its order."""
    try:
        tables = collection_env.decode(function_env.get(collection_env.ENV) or "")
    except ValueError:  # the handler answers 500 then; the banner just has no more lines
        tables = {}
    return [line for path, settings in tables.items() for line in (
        [f"  curl -s '{base}{path}?limit=10'{auth}    # collection {path}"]
        * (path != routes.COLLECTION)
        + [f"  curl -s '{base}{path}?{index.attribute}=<value>'{auth}    # index {index.name}"
           for index in settings.indexes])]


def _local_callers(env: str, endpoint: str, outputs: dict[str, str]) -> str:
    """Create the local reader and writer (cognito); the lines that set their tokens."""
    if ids.OUTPUT_USER_POOL_ID not in outputs:
        return ""
    record = tokens.create_local_users(endpoint, outputs)
    tokens.save_record(env, record)
    return ("\nLocal users (cognito): local-reader, local-writer. Tokens (valid 1 h; "
            f"`make token ROLE=reader|writer ENV={env}` prints a fresh one):\n"
            f"  export WRITER_TOKEN={tokens.token_for(record, 'writer')}\n"
            f"  export READER_TOKEN={tokens.token_for(record, 'reader')}\n")


def parse_port(value: str) -> int:
    """PORT as typed: 0 (any free port) to 65535, else a one-line UpError."""
    if not value.strip().isdigit() or int(value) > 65535:
        raise UpError(f"PORT must be a number from 1 to 65535 (or 0 for any free port), "
                      f"got {value!r}")
    return int(value)


def run(env: str, port: int, host: str) -> None:
    state = STATE_DIR / env
    lock = _lock(state, env)
    if port and port_in_use(port, host):
        raise UpError(f"port {port} on {host} is in use; free it or run `make up PORT=<other>` "
                      "(PORT=0: any free port)")
    log = state / "localaws.log"
    api_stack = project_stacks.stack(REPO, env)
    with LocalAws(api_stack.region, log_path=log) as aws:
        print(f"Local AWS (moto) on {aws.endpoint}, log in {log}", flush=True)
        launch = subprocess.run([sceptre_cli(), "launch", "-y", env], cwd=REPO, env=aws.env())
        if launch.returncode != 0:
            raise UpError(f"`sceptre launch -y {env}` failed (exit {launch.returncode}); "
                          "see its output above")
        os.environ.update(aws.env())
        stack = read_stack(api_stack.name, api_stack.region)
        callers = _local_callers(env, aws.endpoint, stack.outputs)
        signers = (iam_callers.create_local_callers(aws.endpoint, stack.outputs)
                   if iam_callers.is_iam(stack.outputs) else {})
        app = LocalApi(stack.template, stack.function_env, authorizers=build_authorizers(
            stack.template, stack.physical_ids, aws.endpoint),
            openapi=document(REPO, env, discover=False))
        if signers:
            iam_callers.save(env, signers)
            app.iam = iam_callers.authorizer(aws.endpoint, stack.outputs, app.gateway.stage,
                                             signers)
        server = serve(app, host, port)
        base = f"http://{host}:{server.server_port}/{app.gateway.stage}"
        if signers:
            callers = iam_callers.banner(env, base, signers, api_stack.region)
        print("\nStack outputs (local AWS):", flush=True)
        for key, value in sorted(stack.outputs.items()):
            note = "  (moto skips AWS::ApiGateway::Stage)" if "/None/" in value else ""
            print(f"  {key}: {value}{note}")
        headers = (' -H "Authorization: Bearer $WRITER_TOKEN"',
                   ' -H "Authorization: Bearer $READER_TOKEN"') if callers and not signers \
            else ("", "")  # iam: the banner has the signed lines
        root = f"http://{host}:{server.server_port}"
        tries = "\n".join([_curl_lines(base, *headers),
                            *collection_lines(base, stack.function_env, headers[1])])
        print(f"{callers}\nLocal API: {base}  (also without the stage prefix)\n"
              f"API docs (local only): {root}{DOCS_PATH}, document: {root}{OPENAPI_PATH}\n"
              f"Try:\n{tries}\n\nCtrl-C stops the API and the local AWS.", flush=True)
        try:
            server.serve_forever()  # werkzeug's returns on Ctrl-C instead of raising
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
            tokens.state_path(env).unlink(missing_ok=True)
            iam_callers.state_path(env).unlink(missing_ok=True)
            print("\nStopping the local API and the local AWS.", flush=True)
    lock.close()


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def _stop_with(parent_pid: int) -> None:
    """Stop as `kill` would (cleanup runs) once `parent_pid` is gone, however it ended:
    we are then re-parented. For a test or script that starts us and may be killed."""
    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="stop-with-parent", daemon=True).start()


def main(argv: Optional[list[str]] = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev", help="environment folder under config/")
    parser.add_argument("--port", default=os.environ.get("PORT", "3000"),
                        help="1-65535, or 0 for any free port")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--parent-pid", type=int, help="stop when this process is gone")
    args = parser.parse_args(argv)
    # `kill` or a closing terminal stops us like Ctrl-C does, so cleanup runs. SIGINT
    # too: a shell that starts us in the background hands it down as ignored.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    if args.parent_pid:
        _stop_with(args.parent_pid)
    try:
        project_stacks.check_environment(REPO, args.env)
        load_environment(REPO, args.env)  # a bad setting stops here, before anything starts
    except ConfigError as error:
        print(f"error: config/{args.env}/: {error}", file=sys.stderr)
        return 2
    except project_stacks.ProjectError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    try:
        run(args.env, parse_port(args.port), args.host)
    except (UpError, LocalAwsError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("\nStopped.", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
