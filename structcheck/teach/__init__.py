"""Teaching: the wander experiment (why a non-physical start wanders under tiny noise), its metrics and plots."""
