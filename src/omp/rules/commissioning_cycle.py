"""COM-1: the commissioning cycle a contract moves through (seed 004, "NOMS Commissioning
Cycle"): plan (agree the priorities), buy (secure delivery through a contract), do (monitor
and assure delivery) and review (the outcomes achieved, which inform the next plan).

A contract moves one stage on at a time, and from review round to the next plan. It may go
back one stage (a tender that fails returns to plan) only with a reason. Leaving a stage
needs a note of the evidence seen for it: each stage names the evidence it expects. Pure
Python: the caller passes the current stage and what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass

PLAN, BUY, DO, REVIEW = "plan", "buy", "do", "review"
STAGES = (PLAN, BUY, DO, REVIEW)
STAGE_WORDS = {PLAN: "Plan", BUY: "Buy", DO: "Do", REVIEW: "Review"}
#: What each stage is for, in the seed's words.
STAGE_PURPOSE = {
    PLAN: "Agree commissioning priorities from the needs of courts, people on probation, "
          "victims and communities",
    BUY: "Secure delivery through a contract: market engagement, tender and award",
    DO: "Monitor and assure delivery once the contract is in place",
    REVIEW: "Review the outcomes achieved, to inform the next round's priorities",
}
#: The most a note may hold.
NOTE_LIMIT = 2000


@dataclass(frozen=True)
class Move:
    """A move the commissioner asks for: from the contract's stage now to ``to_stage``, with
    the evidence seen and, going back, the reason."""

    current: str | None
    to_stage: str
    evidence: str
    reason: str = ""


def next_stage(stage: str | None) -> str:
    """COM-1: the stage after ``stage`` (review is followed by the next round's plan; a
    contract with no stage yet starts at plan)."""
    if stage is None:
        return PLAN
    return STAGES[(STAGES.index(stage) + 1) % len(STAGES)]


def previous_stage(stage: str) -> str | None:
    """COM-1: the stage before ``stage``, or ``None`` at plan (there is no going back from
    the start of a round)."""
    index = STAGES.index(stage)
    return STAGES[index - 1] if index else None


def allowed_moves(stage: str | None) -> list[str]:
    """COM-1: the stages a contract at ``stage`` may move to: the next, and the previous
    one where there is one."""
    moves = [next_stage(stage)]
    if stage is not None and (back := previous_stage(stage)) is not None:
        moves.append(back)
    return moves


def move_problems(move: Move) -> list[tuple[str, str]]:
    """COM-1: what stops the move, each as (field, message); empty when it may be made."""
    if move.to_stage not in STAGES:
        return [("to_stage", "Choose the stage to move the contract to: plan, buy, do or "
                             "review")]
    problems: list[tuple[str, str]] = []
    if move.to_stage == move.current:
        problems.append(("to_stage", f"The contract is already at {STAGE_WORDS[move.to_stage]}"
                                     "; choose another stage"))
    elif move.to_stage not in allowed_moves(move.current):
        here = STAGE_WORDS[move.current] if move.current else "no stage"
        nxt = STAGE_WORDS[next_stage(move.current)]
        problems.append(("to_stage", f"COM-1: a contract at {here} moves on to {nxt} (or back "
                                     f"one stage), not to {STAGE_WORDS[move.to_stage]}"))
    going_back = (move.current is not None and move.to_stage == previous_stage(move.current))
    if move.current is not None and not move.evidence.strip():
        problems.append(("evidence", f"Enter the evidence seen for the "
                                     f"{STAGE_WORDS[move.current]} stage"))
    if going_back and not move.reason.strip():
        problems.append(("reason", "Enter why the contract goes back a stage"))
    for field, text in (("evidence", move.evidence), ("reason", move.reason)):
        if len(text) > NOTE_LIMIT:
            problems.append((field, f"The {field} must be {NOTE_LIMIT} characters or fewer"))
    return problems
