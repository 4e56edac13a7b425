"""Custody case management (PATH-1..7, NEED-1): the pathway's tasks, and later needs
assessments, support plans, caseloads and the compact."""
