"""Roles (Django groups), the role sets, and the checks every action, page and API route
makes.

Below every domain: domains import this package, and it imports no domain, so an action in
``cases/`` or ``decisions/`` checks a role without reaching up into ``web/``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from omp.prepared_reads import PreparedRead

COURT_STAFF = "court_staff"
POM = "pom"
COM = "com"
CASE_MANAGER = "case_manager"
PROVIDER = "provider"
COMMISSIONER = "commissioner"
ANALYST = "analyst"
ADMIN = "admin"
HEAD_OF_OFFENDER_MANAGEMENT = "head_of_offender_management"
CONTRACT_MANAGER = "contract_manager"
AUDITOR = "auditor"
OMIC_LEAD = "omic_lead"

ROLE_NAMES = {
    COURT_STAFF: "Court staff",
    POM: "Prison Offender Manager",
    COM: "Community Offender Manager",
    CASE_MANAGER: "Case manager",
    PROVIDER: "Provider keyworker",
    COMMISSIONER: "Commissioner",
    ANALYST: "Analyst",
    ADMIN: "Administrator",
    HEAD_OF_OFFENDER_MANAGEMENT: "Head of offender management delivery",
    CONTRACT_MANAGER: "Contract manager",
    AUDITOR: "Auditor",
    OMIC_LEAD: "Offender management in custody (OMiC) lead",
}
#: Who may open a case record. Providers see referrals only (REF-9); commissioners,
#: contract managers and analysts see aggregates only (COM-4): they never reach a person's
#: record.
CASE_READERS = frozenset({COURT_STAFF, POM, COM, CASE_MANAGER, ADMIN,
                          HEAD_OF_OFFENDER_MANAGEMENT})
#: Who may read outcomes and payment-by-results results: aggregates only (OUT-3..5, COM-4).
OUTCOMES_READERS = frozenset({COMMISSIONER, CONTRACT_MANAGER, ANALYST, ADMIN})
#: ALLOC-6: the only manual inputs left are RSR and OSP, entered by court staff.
RSR_OSP_EDITORS = frozenset({COURT_STAFF, ADMIN})
#: HANDOVER §1.1: only a head of offender management delivery overrides responsibility.
OVERRIDE_EDITORS = frozenset({HEAD_OF_OFFENDER_MANAGEMENT, ADMIN})
#: Custody dates are corrected by the prison's offender management unit.
CUSTODY_EDITORS = frozenset({POM, HEAD_OF_OFFENDER_MANAGEMENT, ADMIN})
#: PATH-6: who allocates case managers, and who may allocate past the caseload cap.
CASELOAD_ALLOCATORS = frozenset({CASE_MANAGER, HEAD_OF_OFFENDER_MANAGEMENT, ADMIN})
CASELOAD_MANAGERS = frozenset({HEAD_OF_OFFENDER_MANAGEMENT, ADMIN})
#: PATH-2..5: the case managers and offender managers who do the pathway's tasks.
TASK_WORKERS = frozenset({CASE_MANAGER, POM, COM, HEAD_OF_OFFENDER_MANAGEMENT, ADMIN})
#: REF-1: a probation practitioner (COM) or a pre-release team (POM, case manager) refers.
REFERRERS = frozenset({COM, POM, CASE_MANAGER, ADMIN})
#: Who reads every referral: the referrers and heads of offender management. A provider
#: reads only the referrals sent to it (REF-9), checked on each referral.
REFERRAL_READERS = REFERRERS | {HEAD_OF_OFFENDER_MANAGEMENT}
#: Who reads the case-access log: who read which person's data, and what a user read.
#: Auditors read the log only, never a case.
AUDITORS = frozenset({AUDITOR, ADMIN})
#: Who may take the whole population's decisions at once (an export, logged as one read):
#: the service's administrators, who feed other systems; no one reads people in bulk
#: through the pages or the search.
EXPORTERS = frozenset({ADMIN})
#: COM-1..4: who reads contracts, their KPIs and supply chains (aggregates only, COM-4).
COMMISSIONING_READERS = frozenset({COMMISSIONER, CONTRACT_MANAGER, ANALYST, ADMIN})
#: The contract manager's dashboard: the contracts they manage, in depth (admins: any).
CONTRACT_MANAGER_DASHBOARD_READERS = frozenset({CONTRACT_MANAGER, ADMIN})
#: The OMiC lead's dashboard: handovers, caseloads and custody pathways in aggregate. An
#: OMiC lead reads no case record; a head of offender management delivery reads both.
OMIC_DASHBOARD_READERS = frozenset({OMIC_LEAD, HEAD_OF_OFFENDER_MANAGEMENT, ADMIN})
#: COM-1: who moves a contract through the commissioning cycle.
CYCLE_MOVERS = frozenset({COMMISSIONER, ADMIN})
#: Who has at least one API route to call: the API link is shown to them only.
API_USERS = CASE_READERS | REFERRAL_READERS | {PROVIDER} | COMMISSIONING_READERS


def roles_of(user: Any) -> frozenset[str]:
    """The role names a user holds (superusers hold ``admin``)."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_omp_roles", None)
    if cached is None:
        cached = user._omp_roles = _roles(_GROUPS.all("groups", user.pk), user.is_superuser)
    return cached


def _groups_of(_shape: str, user_pk: int) -> Any:
    from django.contrib.auth.models import Group

    return Group.objects.filter(user=user_pk).values_list("name", flat=True)


#: Built once per process (omp.prepared_reads): read on every request of a signed-in user.
_GROUPS: PreparedRead[str] = PreparedRead(_groups_of)


def _roles(groups: Any, is_superuser: bool) -> frozenset[str]:
    return frozenset(groups) | ({ADMIN} if is_superuser else frozenset())


def remember_roles(users: Any) -> None:
    """Read the roles of every user of ``users`` in one query, for :func:`roles_of` (a list
    that shows each row's author by role asks of each author)."""
    from django.contrib.auth.models import User

    waiting: dict[int, list[Any]] = {}  # each user's instances: a list's rows have their own
    for user in users:
        if getattr(user, "is_authenticated", False) and not hasattr(user, "_omp_roles"):
            waiting.setdefault(user.pk, []).append(user)
    if not waiting:
        return
    groups: dict[int, list[str]] = {pk: [] for pk in waiting}
    for pk, name in (User.groups.through.objects.filter(user_id__in=list(waiting))
                     .values_list("user_id", "group__name")):
        groups[pk].append(name)
    for pk, instances in waiting.items():
        for user in instances:
            user._omp_roles = _roles(groups[pk], user.is_superuser)


def has_role(user: Any, allowed: frozenset[str]) -> bool:
    """True when the user holds any of the ``allowed`` roles."""
    return bool(roles_of(user) & allowed)


def reads_only_aggregates(user: Any) -> bool:
    """Commissioners, contract managers and analysts read outcomes, never case records
    (COM-4)."""
    return has_role(user, OUTCOMES_READERS) and not has_role(user, CASE_READERS)


def reads_only_referrals(user: Any) -> bool:
    """A provider's keyworker reads the referrals sent to it, never case records (REF-9)."""
    return has_role(user, frozenset({PROVIDER})) and not has_role(user, CASE_READERS)


def audits_only(user: Any) -> bool:
    """An auditor reads the case-access log, never a case record."""
    return has_role(user, frozenset({AUDITOR})) and not has_role(user, CASE_READERS)


def reads_only_omic_dashboard(user: Any) -> bool:
    """An OMiC lead reads the OMiC dashboard's aggregates, never a case record."""
    return has_role(user, frozenset({OMIC_LEAD})) and not has_role(user, CASE_READERS)


def require_role(user: Any, allowed: frozenset[str]) -> None:
    """Raise ``PermissionDenied`` unless the user holds one of ``allowed``."""
    if not has_role(user, allowed):
        raise PermissionDenied("Your role does not allow this")


def role_required(allowed: frozenset[str]) -> Callable[..., Any]:
    """View decorator: signed in, and holding one of ``allowed``."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require_role(request.user, allowed)
            return view(request, *args, **kwargs)

        return wrapped

    return decorate
