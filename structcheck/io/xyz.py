"""structcheck's own xyz/extxyz reader: frames split from a byte stream, with line numbers in every error."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from ase import Atoms
from ase.data import atomic_numbers

from .records import FrameRecord, ReadError, molecule_atoms
from .xyz_comment import _properties, _ragged_row, parse_comment
from .xyz_numbers import FIXED_MIN_ATOMS, _fixed_floats, _fixed_layout

XYZ_FORMATS = {"xyz", "extxyz"}
CHUNK = 1 << 23  # 8 MiB: largest read piece
CHUNK_MIN = 1 << 20  # 1 MiB: first read piece of a large file




# ------------------------------------------------------------------ the frame splitter

_SYMBOL_CACHE: dict[bytes, int] = {}


def _label_number(lab: bytes) -> int:
    z = _SYMBOL_CACHE.get(lab)
    if z is None:
        s = lab.rstrip(b"\x00").decode("utf-8", "replace")  # as numpy's "S" dtype reads it
        if s.isdigit():
            z = int(s) if 0 < int(s) < 119 else 0
        else:
            # as ASE's extxyz reader resolves symbols (``str.capitalize``): CA is Ca, o is O
            z = atomic_numbers.get(s) or atomic_numbers.get(s.capitalize(), 0) if s.capitalize() != "X" else 0
        _SYMBOL_CACHE[lab] = z
    return z


def _numbers(labels: list) -> tuple[np.ndarray, np.ndarray | None]:
    """Atomic numbers of a list of species tokens (bytes); the labels too if any is unknown."""
    z = {lab: _label_number(lab) for lab in set(labels)}
    numbers = np.fromiter(map(z.__getitem__, labels), dtype=int, count=len(labels))
    unknown = None
    if 0 in z.values():
        text = {lab: lab.rstrip(b"\x00").decode("utf-8", "replace") for lab in z}
        unknown = np.array([text[lab] for lab in labels], dtype=object)
    return numbers, unknown


def _bad_line(lines: list[bytes], ncols: int, first_line: int, pcols) -> ReadError:
    for k, ln in enumerate(lines):
        tok = ln.split()
        if len(tok) < ncols:
            return ReadError(f"expected {ncols} columns, found {len(tok)}", first_line + k)
        for c in pcols:
            try:
                float(tok[c])
            except ValueError:
                return ReadError(f"not a number: {tok[c].decode('utf-8', 'replace')!r}", first_line + k)
    return ReadError("cannot parse the atom lines", first_line)


def _line_count(block: bytes) -> int:
    """``len(block.splitlines())`` without building the list (the common, CR-free case)."""
    if not block:
        return 0
    if b"\r" in block:
        return len(block.splitlines())
    return block.count(b"\n") + 1 - block.endswith(b"\n")


def _float_columns(tokens: list, ncols: int, c0: int, w: int, n: int) -> np.ndarray | None:
    """Columns c0..c0+w of the token table as floats (C order), or None if a token is not
    a plain number (the caller then takes the strict path, which names the line)."""
    out = np.empty((n, w))
    try:
        for k in range(w):
            out[:, k] = np.array(tokens[c0 + k::ncols], dtype=float)
    except (ValueError, TypeError):
        return None
    return out


def _few_distinct(keys: np.ndarray, most: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(keys, return_inverse=True)`` up to the order of the distinct values: one
    linear pass per distinct value while there are at most ``most`` (a frame's few
    elements: no O(n log n) sort of a million labels), else ``np.unique``."""
    inverse = np.zeros(len(keys), dtype=np.intp)
    done = np.zeros(len(keys), dtype=bool)
    uniq = []
    at = 0
    while len(uniq) < most:
        u = keys[at]
        same = keys == u
        inverse[same] = len(uniq)
        done |= same
        uniq.append(u)
        at = int(np.argmin(done))
        if done[at]:
            return np.array(uniq, dtype=keys.dtype), inverse
    return np.unique(keys, return_inverse=True)


def _fixed_numbers(m: np.ndarray, a: int, b: int):
    """``_numbers`` for a species span of a fixed-width table (None if wider than 8 bytes)."""
    w = b - a
    if w > 8:
        return None
    keys = np.zeros((len(m), 8), dtype=np.uint8)
    keys[:, :w] = m[:, a:b]
    keys = keys.view(np.uint64).reshape(-1)
    uniq, inverse = _few_distinct(keys)
    labs = [u.tobytes()[:w].strip(b" ") for u in uniq]
    z = np.array([_label_number(lab) for lab in labs], dtype=int)
    numbers = z[inverse.reshape(-1)]
    unknown = None
    if (z == 0).any():
        unknown = np.array([lab.decode("utf-8", "replace") for lab in labs], dtype=object)[inverse.reshape(-1)]
    return numbers, unknown


def parse_frame(count_line: bytes, comment: bytes, block: bytes, first_line: int) -> Atoms:
    """Build Atoms from one xyz/extxyz frame; ``first_line`` is the 1-based count line.

    ReadError (with its line) for what ASE refuses and for what would be read wrongly: text
    that is not UTF-8, an atom line whose column count is not the Properties' (a blank or
    wrapped line), a frame whose line count differs from its declared atom count, a
    malformed comment line (``parse_comment``), a bad Properties spec."""
    try:
        text = comment.decode("utf-8")
    except UnicodeDecodeError:
        raise ReadError("comment line is not UTF-8 text (binary file?)", first_line + 1) from None
    if not block.isascii():
        try:
            block.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ReadError("atom line is not UTF-8 text (binary data?)",
                            first_line + 2 + block.count(b"\n", 0, exc.start)) from None
    if "=" not in text:  # a plain xyz comment: no info, no Properties
        atoms = _plain_small(count_line, block)
        if atoms is not None:
            return atoms
    try:
        info = parse_comment(text)
    except ReadError as exc:
        raise ReadError(str(exc), first_line + 1) from None
    try:
        props = _properties(info.pop("Properties")) if "Properties" in info else None
    except ReadError as exc:
        raise ReadError(str(exc), first_line + 1) from None
    n = _line_count(block)
    declared = count_line.split()
    if declared and declared[0].isdigit() and int(declared[0]) != n:
        raise ReadError(f"{int(declared[0])} atoms declared, {n} atom line(s) read", first_line)
    if props is None:
        first = block.split(b"\n", 1)[0].split(b"\r", 1)[0].split() if n else []
        ncols = max(len(first), 4)
        props = [("species", "S", 1), ("pos", "R", 3)]
        if ncols > 4:
            props.append(("_extra", "S", ncols - 4))
    ncols = sum(p[2] for p in props)
    start = {}
    c = 0
    for name, _, w in props:
        start[name] = c
        c += w
    if "pos" not in start:
        raise ReadError("Properties has no pos column", first_line + 1)
    pcols = range(start["pos"], start["pos"] + 3)
    fixed = _fixed_layout(block, n, ncols, pcols) if n >= FIXED_MIN_ATOMS else None
    tokens = block.split() if fixed is None else None
    if tokens is not None:
        if len(tokens) != n * ncols:
            raise _bad_line(block.splitlines(), ncols, first_line + 2, pcols)
        bad = _ragged_row(block, n, ncols)  # the total can match while lines do not (a wrapped line)
        if bad is not None:
            found = len(block.split(b"\n")[bad].split()) if bad < block.count(b"\n") + 1 else 0
            raise ReadError(f"expected {ncols} columns (Properties), found {found}", first_line + 2 + bad)
    table: list[np.ndarray] = []

    def toks() -> list:
        nonlocal tokens
        if tokens is None:
            tokens = block.split()
            if len(tokens) != n * ncols:  # only possible in a pos span (see _fixed_layout)
                raise _bad_line(block.splitlines(), ncols, first_line + 2, pcols)
        return tokens

    def floats(c0: int, w: int) -> np.ndarray | None:
        if fixed is not None:
            out = np.empty((n, w))
            for k in range(w):
                col = _fixed_floats(fixed[0], *fixed[1][c0 + k])
                if col is None:
                    break
                out[:, k] = col
            else:
                return out
        return _float_columns(toks(), ncols, c0, w, n)

    def tok() -> np.ndarray:  # the (n, ncols) bytes table, built only when needed
        tokens = toks()
        if not table:
            table.append(np.array(tokens, dtype=bytes).reshape(n, ncols) if n
                         else np.zeros((0, ncols), dtype="S1"))
        return table[0]

    pos = floats(start["pos"], 3)
    if pos is None:
        try:
            pos = tok()[:, start["pos"]:start["pos"] + 3].astype(float)
        except ValueError:
            raise _bad_line(block.splitlines(), ncols, first_line + 2, pcols) from None
    if "species" in start:
        got = _fixed_numbers(fixed[0], *fixed[1][start["species"]]) if fixed is not None else None
        numbers, labels = got if got is not None else _numbers(toks()[start["species"]::ncols])
    elif "Z" in start:
        numbers, labels = tok()[:, start["Z"]].astype(int), None
    else:
        raise ReadError("Properties has neither species nor Z", first_line + 1)
    cell = pbc = None  # ASE's defaults: a zero cell, not periodic
    if "Lattice" in info:
        lat = np.asarray(info.pop("Lattice"), dtype=float).reshape(-1)
        if lat.size != 9:
            raise ReadError("Lattice needs 9 numbers", first_line + 1)
        cell = lat.reshape(3, 3)
        pbc = np.ones(3, dtype=bool)
    if "pbc" in info:
        raw = info.pop("pbc")
        pbc = np.broadcast_to(np.asarray(raw, dtype=bool), 3).copy()
    if numbers.size and numbers.min() < 0:
        numbers = np.where(numbers < 0, 0, numbers)
    atoms = Atoms(numbers=numbers, positions=pos, cell=cell, pbc=pbc)
    for name, typ, w in props:
        if name in ("species", "pos", "Z", "_extra"):
            continue
        fast = floats(start[name], w) if typ == "R" else None
        col = tok()[:, start[name]:start[name] + w] if fast is None else None
        try:
            if fast is not None:
                arr = fast
            elif typ == "R":
                arr = col.astype(float)
            elif typ == "I":
                arr = col.astype(int)
            elif typ == "L":
                arr = np.isin(col, [b"T", b"True", b"1"])
            else:
                arr = col.astype(str)
        except ValueError:
            raise _bad_line(block.splitlines(), ncols, first_line + 2, range(start[name], start[name] + w)) from None
        arr = arr[:, 0] if w == 1 else arr
        key = {"magmoms": "initial_magmoms", "charges": "initial_charges"}.get(name, name)
        atoms.arrays[key] = arr
    info.pop("comment", None)
    atoms.info.update(info)
    if labels is not None:
        atoms.info["_structcheck_labels"] = labels
    return atoms


PLAIN_SMALL = 256  # plain xyz frames up to this many atoms: parsed line by line in Python


def _plain_small(count_line: bytes, block: bytes) -> Atoms | None:
    """A small plain-xyz frame (4 columns: species x y z) as the general path builds it, with
    Python's float() per number (the parse numpy's bytes-to-float cast calls: the same values)
    instead of numpy calls per column; None for anything else (the general path then decides,
    and names the line of an error)."""
    lines = block.split(b"\n")
    n = len(lines)
    if not block or n > PLAIN_SMALL or b"\r" in block:
        return None
    declared = count_line.split()
    if declared and declared[0].isdigit() and int(declared[0]) != n:
        return None
    labels = []
    xyz = []
    try:
        for ln in lines:
            t = ln.split()
            if len(t) != 4:
                return None
            labels.append(t[0])
            xyz.append((float(t[1]), float(t[2]), float(t[3])))
    except ValueError:
        return None
    known = _SYMBOL_CACHE
    z = [known[lab] if lab in known else _label_number(lab) for lab in labels]
    if 0 in z:  # an unknown label: the labels are kept (as _numbers keeps them)
        numbers, unknown = _numbers(labels)
    else:
        numbers, unknown = np.array(z, dtype=int), None
    atoms = molecule_atoms(numbers, np.array(xyz, dtype=float).reshape(n, 3))
    if unknown is not None:
        atoms.info["_structcheck_labels"] = unknown
    return atoms


def iter_xyz_stream(chunks: Iterator[bytes], path: str) -> Iterator[FrameRecord]:
    """Split an xyz/extxyz byte stream into frames, chunk by chunk (bounded memory)."""
    buf = b""
    nl = np.zeros(0, dtype=np.int64)  # newline offsets in buf
    base_line = 1  # 1-based line number of buf[0]
    cursor = 0  # index into nl of the next unread line start: line k starts after nl[k-1]
    frame = 0
    eof = False
    it = iter(chunks)

    def line_start(k: int) -> int:
        return 0 if k == 0 else int(nl[k - 1]) + 1

    def more(need: int) -> bool:
        """Read chunks until ``need`` unread lines are complete, or EOF; False if none was read.

        Newlines are found once per chunk and the buffer is joined once per call, so a
        frame spanning many chunks costs linear time.
        """
        nonlocal buf, nl, cursor, base_line, eof
        if eof:
            return False
        cut = line_start(cursor)
        have = len(nl) - cursor
        size = len(buf) - cut
        parts: list[bytes] = []
        offsets: list[np.ndarray] = []
        while have < need:
            chunk = next(it, None)
            if chunk is None:
                eof = True
                break
            at = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == 10)
            parts.append(chunk)
            offsets.append(at + size)
            size += len(chunk)
            have += len(at)
        if len(parts) > 1 and hasattr(it, "grow"):
            it.grow()  # one frame spans several pieces: read larger ones
        if parts:  # drop consumed lines
            base_line += cursor
            buf = b"".join([buf[cut:], *parts])
            nl = np.concatenate([nl[cursor:] - cut, *offsets])
            cursor = 0
        if eof and buf and not buf.endswith(b"\n"):
            buf += b"\n"
            nl = np.append(nl, len(buf) - 1)
        return bool(parts)

    first = True
    while True:
        while len(nl) - cursor < 1 and more(1):
            pass
        if len(nl) - cursor < 1:
            break
        if first:
            first = False
            if b"\x00" in buf[:4096]:
                yield FrameRecord(path, 0, line=1, error="binary data, not an xyz file")
                return
        count_raw = buf[line_start(cursor):int(nl[cursor])]
        if not count_raw.strip():
            cursor += 1  # blank line between or after frames
            continue
        lineno = base_line + cursor
        parts = count_raw.split()
        try:
            n = int(parts[0])
            if len(parts) != 1 or n < 0:
                raise ValueError
        except ValueError:
            try:
                txt = count_raw.decode("utf-8").strip()
                binary = any(ord(ch) < 32 and ch not in "\t\r" for ch in txt)
            except UnicodeDecodeError:
                binary = True
            if binary:
                msg = "binary data, not a text xyz file" if frame == 0 else \
                    "binary data instead of an atom count; frames after it not read"
            else:
                msg = f"bad atom count line {txt[:40]!a}; frames after it not read"
            yield FrameRecord(path, frame, line=lineno, error=msg)
            return
        while len(nl) - cursor < n + 2 and more(n + 2):
            pass
        avail = len(nl) - cursor
        if avail < n + 2:
            have = max(avail - 2, 0)
            yield FrameRecord(path, frame, line=lineno,
                              error=f"truncated frame: {n} atoms declared, {have} atom line(s) found")
            return
        comment = buf[line_start(cursor + 1):int(nl[cursor + 1])]
        block = buf[line_start(cursor + 2):int(nl[cursor + n + 1])] if n else b""
        rec = _frame_record(path, frame, count_raw, comment, block, lineno)
        del comment, block  # the frame's bytes are not held while the caller lints it
        cursor += n + 2
        frame += 1
        cut = line_start(cursor)
        if cut > CHUNK and 2 * cut > len(buf):  # neither are the consumed lines of a big frame
            base_line += cursor
            buf = buf[cut:]
            nl = nl[cursor:] - cut
            cursor = 0
        yield rec
    if frame == 0:
        yield FrameRecord(path, 0, line=1, error="empty file: no frame")


def _frame_record(path: str, frame: int, count_raw: bytes, comment: bytes, block: bytes, lineno: int) -> FrameRecord:
    try:
        return FrameRecord(path, frame, parse_frame(count_raw, comment, block, lineno), lineno)
    except ReadError as exc:
        return FrameRecord(path, frame, line=exc.line or lineno, error=str(exc))
    except Exception as exc:  # noqa: BLE001 - OverflowError (an integer of 1e20), MemoryError, ...: a finding
        msg = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else ""
        return FrameRecord(path, frame, line=lineno, error=f"cannot parse frame ({type(exc).__name__}: {msg})")


SMALL_WHOLE = 1 << 16  # files up to this size: split into lines by bytes.split


def iter_xyz_bytes(data: bytes, path: str) -> Iterator[FrameRecord]:
    """``iter_xyz_stream`` of a whole file in memory. A file of exactly one frame (the
    common small file) is split with one ``bytes.split`` instead of the streaming
    machinery; anything else (several frames, a bad count line, blank lines first, a
    truncated frame, binary data) takes the streaming path, so records and errors are
    the same either way."""
    if len(data) > SMALL_WHOLE:  # a big frame: numpy finds its lines faster than a list of them
        yield from iter_xyz_stream(iter([data]), path)
        return
    lines = data.split(b"\n")
    if data.endswith(b"\n"):
        lines.pop()  # the streaming reader's lines end at a newline or at the end of the file
    head = lines[0].split() if lines else ()
    if len(head) == 1 and head[0].isdigit() and b"\x00" not in data[:4096]:
        n = int(head[0])
        if len(lines) >= n + 2 and not any(ln.strip() for ln in lines[n + 2:]):
            yield _frame_record(path, 0, lines[0], lines[1], b"\n".join(lines[2:n + 2]), 1)
            return
    yield from iter_xyz_stream(iter([data]), path)


