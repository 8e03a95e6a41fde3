"""vesin's compiled neighbour search, called through ctypes (``neighbors.half_pairs``' engine).

The binding of ``libvesin`` (why not vesin's Python package: see ``_VesinLibrary``), the views
of its result arrays, and the fallback to the package where the library is not where vesin
0.6 keeps it. Nothing here decides whether a frame may be searched: ``neighbors`` does.
"""

from __future__ import annotations

import os

import numpy as np


class _VesinLibrary:
    """vesin's compiled neighbour search (``libvesin``), called through ctypes.

    Why not ``from vesin import NeighborList``: vesin's Python package imports torch and
    cupy at import time when they are installed (for tensor inputs, which structcheck never
    passes), about 1 s of start-up on the lint path, and nothing in it imports lazily. The
    shared library is the same code that class calls; this binding declares the one
    function and one free call of vesin's C API (``vesin.h``: ``vesin_neighbors``,
    ``vesin_free``), mirroring ``vesin/_c_api.py`` of the pinned vesin 0.6. The library is
    found without importing the package (``importlib.util.find_spec``); if it is missing
    (another vesin layout), ``NeighborList`` from the package is used instead.
    """

    def __init__(self):
        import ctypes
        from ctypes import POINTER, c_bool, c_double, c_int, c_int32, c_size_t, c_void_p
        from importlib.util import find_spec

        spec = find_spec("vesin")
        if spec is None or not spec.submodule_search_locations:
            raise ImportError("vesin is not installed")
        folder = list(spec.submodule_search_locations)[0]
        lib = ctypes.CDLL(os.path.join(folder, "lib", "libvesin.so"))

        class Device(ctypes.Structure):
            _fields_ = [("type", c_int), ("device_id", c_int)]

        class Options(ctypes.Structure):
            _fields_ = [("cutoff", c_double), ("full", c_bool), ("sorted", c_bool), ("algorithm", c_int),
                        ("skin", c_double), ("n_threads", c_int32), ("return_shifts", c_bool),
                        ("return_distances", c_bool), ("return_vectors", c_bool)]

        class NeighborList(ctypes.Structure):
            _fields_ = [("length", c_size_t), ("device", Device),
                        ("pairs", c_void_p), ("shifts", c_void_p),  # addresses: read below as arrays
                        ("distances", c_void_p), ("vectors", c_void_p), ("opaque", c_void_p)]

        lib.vesin_free.argtypes = [POINTER(NeighborList)]
        lib.vesin_free.restype = None
        # double *points, size_t n, double box[3][3], bool periodic[3]: passed as addresses
        lib.vesin_neighbors.argtypes = [c_void_p, c_size_t, c_void_p, c_void_p,
                                        Device, Options, POINTER(NeighborList), POINTER(ctypes.c_char_p)]
        lib.vesin_neighbors.restype = c_int
        self.ctypes, self.lib = ctypes, lib
        self.Device, self.Options, self.NeighborList = Device, Options, NeighborList

    def half_list(self, pos: np.ndarray, box: np.ndarray, periodic, cutoff: float, n_threads: int):
        """(i, j, shifts, distances) of every pair within ``cutoff``, each pair once."""
        ct = self.ctypes
        pos = np.ascontiguousarray(pos, dtype=np.float64)
        box = np.ascontiguousarray(box, dtype=np.float64)
        per = np.ascontiguousarray(periodic, dtype=np.bool_)
        opts = self.Options(cutoff=float(cutoff), full=False, sorted=False, algorithm=0, skin=0.0,
                            n_threads=int(n_threads), return_shifts=True, return_distances=True,
                            return_vectors=False)
        nl = self.NeighborList()
        err = ct.c_char_p()
        status = self.lib.vesin_neighbors(pos.ctypes.data, len(pos), box.ctypes.data, per.ctypes.data,
                                          self.Device(1, 0), opts, ct.byref(nl), ct.byref(err))
        try:
            if status != 0:
                raise RuntimeError((err.value or b"vesin failed").decode("utf8", "replace"))
            n = nl.length
            if n == 0:
                return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros((0, 3), np.int64), np.zeros(0)
            # views of vesin's arrays (size_t pairs, int32 shifts, double distances), copied before the free
            pairs = np.asarray(_Memory(nl.pairs, (n, 2), _SIZE_T))
            i = pairs[:, 0].astype(np.int64)
            j = pairs[:, 1].astype(np.int64)
            shifts = np.array(_Memory(nl.shifts, (n, 3), "<i4"))  # int32 shifts: half the memory, exact
            return i, j, shifts, np.array(_Memory(nl.distances, (n,), "<f8"))
        finally:
            self.lib.vesin_free(ct.byref(nl))


_SIZE_T = np.dtype(np.uintp).str


class _Memory:
    """C memory at an address seen by numpy (np.asarray: a view, np.array: a copy) without
    np.ctypeslib's pointer casts (~10 µs a vesin call of a small crystal)."""

    __slots__ = ("__array_interface__",)

    def __init__(self, address: int, shape: tuple, typestr: str):
        self.__array_interface__ = {"data": (address, True), "shape": shape, "typestr": typestr, "version": 3}


_VESIN: list = []


def vesin_half_list(pos, box, periodic, cutoff: float, n_threads: int):
    """(i, j, shifts, distances) of every pair within ``cutoff``, each pair once (vesin)."""
    if not _VESIN:
        try:
            _VESIN.append(_VesinLibrary())
        except OSError:  # no libvesin.so where vesin 0.6 keeps it: use the package
            _VESIN.append(None)
    lib = _VESIN[0]
    if lib is not None:
        return lib.half_list(pos, box, periodic, cutoff, n_threads)
    from vesin import NeighborList

    nl = NeighborList(cutoff=float(cutoff), full_list=False, n_threads=n_threads)
    i, j, s, d = nl.compute(pos, box, [bool(p) for p in periodic], quantities="ijSd")
    return i.astype(np.int64), j.astype(np.int64), s.astype(np.int64), d
