"""The one reference list of offence codes: every code has words, and pages name an offence
by them."""

from __future__ import annotations

from omp.rules.offences import OFFENCE_CODES, offence_description, offence_words


def test_every_code_is_five_digits_once_with_a_description():
    codes = [offence.code for offence in OFFENCE_CODES]
    assert len(codes) == len(set(codes))
    assert all(code.isdigit() and len(code) == 5 for code in codes)
    assert all(offence.description and offence.ogrs3_category for offence in OFFENCE_CODES)


def test_an_offence_reads_by_its_recorded_description_else_the_list():
    assert offence_words("00100") == "Murder (00100)"
    assert offence_words("00100", "Murder of a police officer") == \
        "Murder of a police officer (00100)"
    assert offence_words("00100", "  ") == "Murder (00100)"
    assert offence_description(" 01900 ") == "Rape of a female aged 16 or over"


def test_a_code_in_neither_says_so():
    assert offence_description("99999") is None
    assert offence_words("99999") == "Offence code 99999 (no description held)"
