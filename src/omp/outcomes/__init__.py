"""Outcomes and payment by results: analytics written once for DuckDB and Spark."""
