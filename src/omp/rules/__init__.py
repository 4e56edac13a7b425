"""The policy, as pure Python: no Django, no I/O.

Inputs are frozen dataclasses of facts (:mod:`omp.rules.facts`); outputs are decisions that
carry their reasons (rule id, field, value, date).
"""
