"""How `structcheck lint` says a run stopped before every file was linted, in each output format.

Every format carries a marker that a reader of that format cannot miss (text and github: an
INCOMPLETE line / an error annotation; jsonl: a last line ``{"incomplete": true, ...}``; json:
an object with ``"incomplete": true`` around the findings instead of the plain list; sarif:
``invocations[0].executionSuccessful: false`` with the reason as a tool notification), the
report file is still written (renamed into place, as a complete one), and the exit code is 2.
"""

from __future__ import annotations

import json
import sys


class Stopped:
    """Why and where a run stopped: ``reason``, ``files``/``frames`` linted before it, the last path."""

    def __init__(self, exc: BaseException, files: int, frames: int, last_path: str | None):
        text = str(exc).strip().splitlines()
        self.reason = text[0] if text else type(exc).__name__
        if type(exc).__name__ != "IncompleteRun":
            self.reason = f"{type(exc).__name__}: {self.reason}"
        self.files, self.frames, self.last_path = files, frames, last_path

    def line(self) -> str:
        return (f"run INCOMPLETE: {self.reason}; findings cover only the {self.files} file(s), "
                f"{self.frames} frame(s) linted before it stopped"
                + (f" (the last, {self.last_path}, possibly in part)" if self.last_path else ""))

    def data(self) -> dict:
        return {"incomplete": True, "reason": self.reason, "files_linted": self.files,
                "frames_linted": self.frames, "last_path": self.last_path}


def sarif_invocation(doc: dict, stopped: Stopped | None) -> dict:
    """Mark the SARIF run as (un)successful (SARIF 2.1.0 ``invocations``)."""
    inv: dict = {"executionSuccessful": stopped is None}
    if stopped is not None:
        inv["toolExecutionNotifications"] = [{"level": "error", "message": {"text": stopped.line()},
                                              "properties": stopped.data()}]
    doc["runs"][0]["invocations"] = [inv]
    return doc


def json_document(payload, key: str, stopped: Stopped | None):
    """The json report: the plain list when complete; an object saying incomplete otherwise."""
    return payload if stopped is None else {**stopped.data(), key: payload}


def mark_stream(fmt: str, stopped: Stopped, out) -> None:
    """The marker of the formats written as the run goes (text, github, jsonl)."""
    if fmt == "jsonl":
        print(json.dumps(stopped.data(), ensure_ascii=False), file=out)
    elif fmt == "github":
        print(f"::error title=structcheck: run incomplete::{stopped.line()}", file=out)
    elif fmt == "text":
        print(f"INCOMPLETE: {stopped.line()}", file=out)


def say(stopped: Stopped) -> int:
    print(f"structcheck: error: {stopped.line()}", file=sys.stderr)
    return 2
