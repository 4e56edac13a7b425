"""The outcomes pages (Django): results, payment statements and monitoring for gaming.

The analytics in :mod:`omp.outcomes` never import Django; only this sub-package does.
"""
