"""Validation: the simulator against exact queueing theory (SPEC §7)."""
