"""COM-1: the commissioning cycle, plan → buy → do → review → plan, one stage at a time."""

from __future__ import annotations

from omp.rules.commissioning_cycle import (
    BUY,
    DO,
    PLAN,
    REVIEW,
    Move,
    allowed_moves,
    move_problems,
    next_stage,
)


def test_com_1_the_cycle_goes_round() -> None:
    assert [next_stage(s) for s in (None, PLAN, BUY, DO, REVIEW)] == [PLAN, BUY, DO, REVIEW,
                                                                      PLAN]
    assert allowed_moves(None) == [PLAN]
    assert allowed_moves(PLAN) == [BUY]
    assert allowed_moves(DO) == [REVIEW, BUY]


def test_com_1_moving_on_needs_the_evidence_of_the_stage_left() -> None:
    assert move_problems(Move(DO, REVIEW, "Quarterly review minutes")) == []
    assert move_problems(Move(DO, REVIEW, "  ")) == [
        ("evidence", "Enter the evidence seen for the Do stage")]
    assert move_problems(Move(None, PLAN, "")) == []


def test_com_1_going_back_needs_a_reason() -> None:
    assert move_problems(Move(BUY, PLAN, "Tender report", "No compliant bids")) == []
    assert move_problems(Move(BUY, PLAN, "Tender report")) == [
        ("reason", "Enter why the contract goes back a stage")]


def test_com_1_skipping_a_stage_is_refused_in_words() -> None:
    assert move_problems(Move(PLAN, DO, "Intentions")) == [
        ("to_stage", "COM-1: a contract at Plan moves on to Buy (or back one stage), not to Do")]
    assert move_problems(Move(BUY, BUY, "x"))[0] == (
        "to_stage", "The contract is already at Buy; choose another stage")
    assert move_problems(Move(BUY, "launch", "x")) == [
        ("to_stage", "Choose the stage to move the contract to: plan, buy, do or review")]
    assert move_problems(Move(DO, REVIEW, "x" * 2001)) == [
        ("evidence", "The evidence must be 2000 characters or fewer")]
