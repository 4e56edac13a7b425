"""The case record (CASE-1..4): people, events, sentences, registrations, assessments and
custody spells, with full change history, and the bulk builder of case facts."""
