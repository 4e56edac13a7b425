"""LAO-1 and LAO-2: who a case's exclusion and restriction lists refuse."""

from __future__ import annotations

from omp.rules.limited_access import (
    EXCLUDED,
    NOT_ON_RESTRICTION_LIST,
    AccessLists,
    refusal,
)


def test_a_case_without_lists_refuses_nobody() -> None:
    assert not AccessLists().limited
    assert refusal(1, AccessLists()) is None


def test_lao1_the_exclusion_list_refuses_only_those_it_names() -> None:
    lists = AccessLists(excluded=frozenset({7}))
    assert lists.limited
    assert refusal(7, lists) == EXCLUDED
    assert refusal(8, lists) is None
    assert EXCLUDED.rule == "LAO-1" and "exclusion list" in EXCLUDED.words


def test_lao2_the_restriction_list_lets_in_only_those_it_names() -> None:
    lists = AccessLists(restricted_to=frozenset({7, 9}))
    assert refusal(7, lists) is None and refusal(9, lists) is None
    assert refusal(8, lists) == NOT_ON_RESTRICTION_LIST
    assert NOT_ON_RESTRICTION_LIST.rule == "LAO-2"
    assert "not one of them" in NOT_ON_RESTRICTION_LIST.words


def test_an_exclusion_wins_over_a_restriction_naming_the_same_user() -> None:
    lists = AccessLists(excluded=frozenset({7}), restricted_to=frozenset({7}))
    assert refusal(7, lists) == EXCLUDED
    assert refusal(8, lists) == NOT_ON_RESTRICTION_LIST
