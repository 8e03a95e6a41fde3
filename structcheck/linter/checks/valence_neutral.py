"""Which atoms and molecules the valence rule's search can only find neutral and fine:
tables per element and bond count, and the big-frame graph without such molecules."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import valence as _c


@lru_cache(maxsize=1)
def _neutral_ok() -> np.ndarray:
    """ok[z, degree]: a neutral valence of z equals degree (single bonds suffice)."""
    ok = np.zeros((119, 17), bool)
    for z, e in enumerate(_c._element_table()):
        if e is not None:
            for v in e.neutral:
                if v < 17:
                    ok[z, v] = True
    return ok


def _without_forced_neutral(z, degree, labels, ei, ej, order, bonded):
    """The judged graph less its molecules that can only be neutral and fine: every bond
    single by its length, every atom's bond count a neutral valence of its element and no
    charged one (water, alkanes, ammonia in a box of 10^5 molecules). Such a molecule has
    exactly one assignment, all single bonds at charge 0 with no unpaired electron: at a
    total charge of 0 and no declared spin it is never reported and adds no charge, so the
    search over the rest is the same (with another total, a molecule that cannot carry it
    is reported, so all are judged). The Python graph of a big frame is built for the rest."""
    only = _neutral_only()
    ncomp = int(labels.max()) + 1
    bad = np.zeros(ncomp, bool)
    bad[labels[bonded[~only[z[bonded], np.minimum(degree[bonded], 16)]]]] = True
    bad[labels[ei[order > 1]]] = True
    keep = bad[labels[bonded]]
    if keep.all():
        return ei, ej, order, bonded
    e = bad[labels[ei]]
    return ei[e], ej[e], order[e], bonded[keep]


@lru_cache(maxsize=1)
def _neutral_only() -> np.ndarray:
    """only[z, degree]: degree is a neutral valence of z and no valence of a charged z."""
    only = np.zeros((119, 17), bool)
    for z, e in enumerate(_c._element_table()):
        if e is not None:
            charged = {v for f, v in e.choices if f != 0}
            for v in e.neutral:
                if v < 17 and v not in charged:
                    only[z, v] = True
    return only
