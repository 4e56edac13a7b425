"""Outcomes analytics: cohorts, reconviction measures, payment by results."""
