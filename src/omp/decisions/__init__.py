"""Decisions (allocation now; handover and pathway later): stored append-only with their
reasons and policy version, and the recompute service (one case on change, all nightly)."""
