"""Structured JSON logs with the request id on every line.

On Lambda the runtime's JSON log format (LoggingConfig LogFormat: JSON) already
writes requestId and our `extra` fields; elsewhere (tests, local API) we install
an equivalent formatter.
"""

from __future__ import annotations

import json
import logging
import os
import sys

LOGGER = logging.getLogger("data_api")


class JsonFormatter(logging.Formatter):
    FIELDS = ("requestId", "method", "resource", "status", "durationMs", "errorCode", "error",
              "caller")

    def format(self, record: logging.LogRecord) -> str:
        line = {"timestamp": self.formatTime(record), "level": record.levelname,
                "logger": record.name, "message": record.getMessage()}
        line.update({name: getattr(record, name) for name in self.FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (test capture, reloads), not at import."""

    @property  # type: ignore[override]
    def stream(self):  # noqa: D401
        return sys.stderr

    @stream.setter
    def stream(self, _value) -> None:
        pass


def configure() -> logging.Logger:
    """Idempotent: INFO level; our own JSON handler only off Lambda."""
    LOGGER.setLevel(os.environ.get("LOG_LEVEL", "INFO"))
    if "AWS_LAMBDA_FUNCTION_NAME" not in os.environ and not LOGGER.handlers:
        handler = _StderrHandler()
        handler.setFormatter(JsonFormatter())
        LOGGER.addHandler(handler)
        LOGGER.propagate = False
    return LOGGER
