"""Case facts in, decisions out: the published interchange format (``docs/interchange.md``).

Pure: no Django and no database, so ``decide`` runs anywhere.
"""
