"""The progress line of `structcheck lint` on a terminal (tqdm), and when to show it."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator


class Progress:
    """One status line on a terminal: files done, frames, findings so far, rate (drawn by tqdm).

    ``clear()`` before writing report lines to the same terminal; ``close()`` at the end.
    """

    def __init__(self, stream=None, enabled: bool = True, interval_s: float = 0.1):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.files = self.frames = self.findings = 0
        self._last_path = None
        self._t0 = time.perf_counter()
        self.bar = None
        if enabled:
            from tqdm import tqdm

            self.bar = tqdm(file=self.stream, bar_format="{desc}", mininterval=interval_s, miniters=1,
                            dynamic_ncols=False, leave=False)

    def update(self, path: str, n_findings: int) -> None:
        if path != self._last_path:
            self.files += 1
            self._last_path = path
        self.frames += 1
        self.findings += n_findings
        if self.bar is not None:
            self.bar.set_description_str(self.line(), refresh=self.frames == 1)  # drawn at once, then
            self.bar.update()  # at most every interval_s (tqdm's mininterval)

    def line(self, now: float | None = None) -> str:
        dt = max((now or time.perf_counter()) - self._t0, 1e-9)
        return (f"structcheck: {self.files} file(s), {self.frames} frame(s), {self.findings} finding(s), "
                f"{self.frames / dt:,.0f} frames/s, {self.files / dt:,.0f} files/s")

    def clear(self) -> None:
        if self.bar is not None:
            self.bar.clear()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def progress_enabled(mode: str, fmt: str, out) -> bool:
    """``auto``: only when stderr and the report are terminals and the report is not JSON."""
    if mode == "on":
        return True
    if mode == "off" or fmt in ("json", "jsonl", "sarif"):
        return False
    try:
        return sys.stderr.isatty() and (out is None or out.isatty())
    except (AttributeError, ValueError):
        return False


def with_progress(pairs: Iterable, progress: Progress) -> Iterator:
    try:
        for rec, found in pairs:
            progress.update(rec.path, len(found))
            if found:
                progress.clear()  # the report lines that follow start on a clean line
            yield rec, found
    finally:
        progress.close()
