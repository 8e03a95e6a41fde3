"""The DPA2 hand-off: runtime settings, the model calculator, the LBFGS run, provenance, relax, multi-start."""
