"""Repairing a bad start: the repulsive ASE calculator and the least-movement fix."""
