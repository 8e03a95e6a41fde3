"""What reading yields: one FrameRecord per frame (Atoms or a one-line error), and ReadError."""

from __future__ import annotations

from dataclasses import dataclass

from ase import Atoms

from ..findings import Finding


@dataclass
class FrameRecord:
    """One frame as read: ``atoms`` or an ``error`` (one line, no traceback)."""

    path: str
    index: int
    atoms: Atoms | None = None
    line: int | None = None  # 1-based line where the frame (or the error) is
    error: str | None = None


class ReadError(Exception):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def unreadable_finding(rec: FrameRecord, config=None):
    sev = config.severity.get("SC001", "error") if config is not None else "error"
    return Finding(code="SC001", name="unreadable-structure", severity=sev, message=rec.error or "",
                   path=rec.path, frame=rec.index, line=rec.line)
