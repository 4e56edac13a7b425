"""Limited-access cases, as nDelius keeps them (LAO: "limited access offender").

- LAO-1 An exclusion list names staff who may not see a case; everyone else with a role that
  reads cases may.
- LAO-2 A restriction list names the only staff who may see a case; nobody else may,
  whatever their role.
A case may carry both: a user on the exclusion list is refused even when the restriction
list names them too (the narrower instruction wins). No role is exempt, administrators
included: a case is restricted because of who someone is, not what their job is.

Pure Python: the lists come in as user ids; the decision carries its rule and its words.
"""

from __future__ import annotations

from dataclasses import dataclass

EXCLUSION = "exclusion"
RESTRICTION = "restriction"
KINDS = {EXCLUSION: "Exclusion: these staff may not see the case",
         RESTRICTION: "Restriction: only these staff may see the case"}


@dataclass(frozen=True)
class AccessLists:
    """A case's exclusion and restriction lists, as user ids (empty: no such list)."""

    excluded: frozenset[int] = frozenset()
    restricted_to: frozenset[int] = frozenset()

    @property
    def limited(self) -> bool:
        """Whether the case has either list."""
        return bool(self.excluded or self.restricted_to)


@dataclass(frozen=True)
class Refusal:
    """Why a user may not open a case: the rule and the sentence shown to them."""

    rule: str
    kind: str
    words: str


EXCLUDED = Refusal("LAO-1", EXCLUSION,
                   "You are on this case's exclusion list: the staff named on it may not see "
                   "this case.")
NOT_ON_RESTRICTION_LIST = Refusal(
    "LAO-2", RESTRICTION,
    "This case has a restriction list: only the staff named on it may see this case, and "
    "you are not one of them.")


def refusal(user_id: int, lists: AccessLists) -> Refusal | None:
    """Why the user ``user_id`` may not open a case with ``lists``, or ``None`` when they
    may (LAO-1, LAO-2)."""
    if user_id in lists.excluded:
        return EXCLUDED
    if lists.restricted_to and user_id not in lists.restricted_to:
        return NOT_ON_RESTRICTION_LIST
    return None
