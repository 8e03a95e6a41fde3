"""Model rules (family ``model``): is this structure inside what a model knows?"""

from __future__ import annotations

import numpy as np

from ..frame import Frame
from ..rule import Hit, rule


@rule("SC401", "model-unsupported-element", "model", "error",
      "Elements absent from the model's type map (--model PATH or --type-map).")
def model_unsupported_element(frame: Frame):
    """Elements that the given model does not know.

    What it does: compares the structure's elements with the type map of the model
    given by ``--model PATH`` (a DeePMD-kit .pth/.pb; read without evaluating it) or
    ``--type-map H,O``. Silent when no model is configured.

    Why it matters: deepmd-kit answers an unknown element with a bare KeyError deep
    inside the calculator, after the run was scheduled and the model loaded.

    Example: a CH4 start with a model trained on H and O only.

    Fix: use a model that covers every element, or remove the species.
    """
    cfg = frame.config
    if cfg.type_map is None and not cfg.model:
        return
    from ...models import model_type_map

    known = cfg.type_map if cfg.type_map is not None else model_type_map(cfg.model)
    symbols = np.array(frame.atoms.get_chemical_symbols())
    bad = np.flatnonzero(~np.isin(symbols, list(known)))
    if len(bad):
        missing = sorted(set(symbols[bad]))
        yield Hit(tuple(int(a) for a in bad), f"element(s) {', '.join(missing)} not in the model's "
                  f"type map [{', '.join(known)}]", float(len(bad)), 0.0, "atoms",
                  {"missing": missing, "type_map": list(known)})
