"""Outcomes pages: the results pages (:mod:`.results`) and monitoring for gaming
(:mod:`.monitoring`)."""
