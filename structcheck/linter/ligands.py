"""One metal-ligand bond far longer than the same ligand's other bonds to that metal.

A complex with several ligands of one kind (CO, CN-, NH3, PR3) bound to one transition metal
has them within ~10 % of each other (trans influence included); one of them at 1.25 x or more
of the others' median, still pointing its donor atom at the metal, is a stretched or broken
bond (a ligand pulled away). Thresholds: rules/chemistry.toml [bond_length.ligand].
"""

from __future__ import annotations

import numpy as np

from .chemistry import nonmetal_mask, table

_TM = np.zeros(119, bool)
for _lo, _hi in ((21, 30), (39, 48), (57, 80), (89, 103)):
    _TM[_lo:_hi + 1] = True
_TM_Z = frozenset(np.flatnonzero(_TM).tolist())


def ligand_outliers(frame) -> list:
    """[(metal, donor, d, median)] for molecules (non-periodic, at most 500 atoms)."""
    if _TM_Z.isdisjoint(frame.species_key) or True in frame.pbc.tolist() or len(frame) > 500:
        return []
    z = frame.numbers
    t = table()["bond_length"]["ligand"]
    donors = set(t["donors"])
    nm = nonmetal_mask()
    pos = frame.positions
    b = frame.bonded_pairs
    nbrs: dict[int, list[int]] = {}
    for i, j in zip(b.i.tolist(), b.j.tolist()):
        if nm[z[j]]:
            nbrs.setdefault(i, []).append(j)
        if nm[z[i]]:
            nbrs.setdefault(j, []).append(i)
    metals = np.flatnonzero(_TM[z])
    cand = [a for a in range(len(z)) if int(z[a]) in donors and a in nbrs]
    if not cand:
        return []
    dm = np.linalg.norm(pos[cand][:, None, :] - pos[metals][None, :, :], axis=2)
    out = []
    for mi, m in enumerate(metals.tolist()):
        kinds: dict[tuple, list] = {}
        for ci, a in enumerate(cand):
            if int(np.argmin(dm[ci])) != mi or dm[ci, mi] > t["reach"]:
                continue
            nb = nbrs[a]
            away = pos[nb].mean(axis=0) - pos[a]
            to_m = pos[m] - pos[a]
            cos = float(away @ to_m / (np.linalg.norm(away) * np.linalg.norm(to_m) + 1e-12))
            if cos > t["max_cos_donor"]:
                continue  # the donor's other partners are not on the far side: not pointing at M
            key = (int(z[a]), tuple(sorted(int(z[k]) for k in nb)))
            kinds.setdefault(key, []).append((float(dm[ci, mi]), a))
        for lst in kinds.values():
            if len(lst) < t["min_same_ligands"]:
                continue
            lst.sort()
            med = lst[len(lst) // 2 - 1] if len(lst) % 2 == 0 else lst[len(lst) // 2]
            far = [(d, a) for d, a in lst if d >= t["ratio"] * med[0]]
            near = [d for d, _ in lst if d < t["ratio"] * med[0]]
            if len(far) == 1 and max(near) <= t["spread"] * min(near):
                out.append((m, far[0][1], far[0][0], med[0]))
    return out
