"""Template context every page gets: who is signed in and what their roles let them do."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from omp.access import (
    API_USERS,
    AUDITORS,
    CASE_READERS,
    COMMISSIONING_READERS,
    CONTRACT_MANAGER_DASHBOARD_READERS,
    CUSTODY_EDITORS,
    OMIC_DASHBOARD_READERS,
    OUTCOMES_READERS,
    OVERRIDE_EDITORS,
    PROVIDER,
    REFERRAL_READERS,
    ROLE_NAMES,
    RSR_OSP_EDITORS,
    has_role,
    roles_of,
)
from omp.web.sessions import warning_seconds


def roles_context(request: HttpRequest) -> dict[str, Any]:
    """The user's role names, for the identity bar, and the actions their roles allow."""
    roles = roles_of(request.user)
    return {"user_roles": sorted(ROLE_NAMES.get(r, r) for r in roles),
            "can_edit_rsr_osp": bool(roles & RSR_OSP_EDITORS),
            "can_override": bool(roles & OVERRIDE_EDITORS),
            "can_edit_custody": bool(roles & CUSTODY_EDITORS)}


def navigation_context(request: HttpRequest) -> dict[str, Any]:
    """Which primary navigation links the user's roles may follow."""
    held = roles_of(request.user)
    return {"can_read_cases": bool(held & CASE_READERS),
            "can_read_referrals": bool(held & (REFERRAL_READERS | {PROVIDER})),
            "can_read_outcomes": bool(held & OUTCOMES_READERS),
            "can_audit": bool(held & AUDITORS),
            "can_read_commissioning": bool(held & COMMISSIONING_READERS),
            "can_read_contract_manager_dashboard": bool(
                held & CONTRACT_MANAGER_DASHBOARD_READERS),
            "can_read_omic_dashboard": bool(held & OMIC_DASHBOARD_READERS),
            "can_use_api": bool(held & API_USERS)}


def notifications_context(request: HttpRequest) -> dict[str, Any]:
    """How many of the user's referral notifications are unread, for the header (REF-7)."""
    if not has_role(request.user, REFERRAL_READERS | {PROVIDER}):
        return {}
    from omp.referrals.models import Notification

    return {"notifications_unread": Notification.objects.filter(
        user=request.user, read_at__isnull=True).count(), "can_read_notifications": True}


def session_context(request: HttpRequest) -> dict[str, Any]:
    """When a signed-in page warns that the session is about to time out."""
    if not request.user.is_authenticated:
        return {}
    return {"session_idle_seconds": int(settings.SESSION_IDLE_TIMEOUT),
            "session_warning_seconds": warning_seconds()}
