"""``/api/v1/referrals``: the catalogue of services, a person's referrals, starting, completing,
sending and amending a referral (REF-1, REF-2), for practitioners; and for a provider the
referrals sent to it, and no others (REF-9: another provider's referral answers 404, as one
that does not exist). Every route checks the role; refused inputs answer 422 naming each
field."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from omp.access import PROVIDER, REFERRAL_READERS, REFERRERS, require_role
from omp.api_errors import (
    CASE_BODY_ERRORS,
    CASE_ERRORS,
    CASE_INPUT_ERRORS,
    ERRORS,
    field_errors,
)
from omp.cases.access import open_case
from omp.referrals.actions import (
    ReferralError,
    amend_referral,
    save_draft,
    send_referral,
    start_referral,
)
from omp.referrals.models import Service
from omp.referrals.queries import is_provider_only, open_referral, versions, visible_referrals
from omp.referrals.schemas import (
    AmendmentIn,
    ReferralChanges,
    ReferralIn,
    ReferralOut,
    ServiceOut,
    VersionOut,
    referral_body,
    service_body,
)

router = Router(tags=["referrals"])
READERS = REFERRAL_READERS | {PROVIDER}


def _refused(error: ReferralError) -> tuple[int, dict[str, Any]]:
    return field_errors(*error.problems)


@router.get("/services", response={200: list[ServiceOut], **ERRORS},
            operation_id="list_services")
def list_services(request: HttpRequest) -> Any:
    """Every service in the catalogue with its provider and area."""
    require_role(request.user, REFERRERS)
    services = Service.objects.select_related("contract__prime_provider",
                                              "contract__region", "category")
    return [service_body(s) for s in services.order_by("title")]


@router.get("/referrals", response={200: list[ReferralOut], **ERRORS},
            operation_id="list_referrals")
def list_referrals(request: HttpRequest, case_ref: str | None = None) -> Any:
    """The referrals the user may read: a provider's incoming referrals, or a person's
    referrals (``case_ref``), or those the practitioner made."""
    require_role(request.user, READERS)
    referrals = visible_referrals(request.user)
    if case_ref is not None:
        referrals = referrals.filter(person__case_ref=case_ref)
    elif not is_provider_only(request.user):
        referrals = referrals.filter(created_by=request.user)
    return [referral_body(r) for r in referrals.order_by("-created_at")[:500]]


@router.get("/referrals/{int:referral_id}", response={200: ReferralOut, **CASE_ERRORS},
            operation_id="get_referral")
def get_referral(request: HttpRequest, referral_id: int) -> Any:
    """One referral, if the user may read it (404 otherwise)."""
    require_role(request.user, READERS)
    return referral_body(open_referral(request, referral_id, "api"))


@router.get("/referrals/{int:referral_id}/versions",
            response={200: list[VersionOut], **CASE_ERRORS},
            operation_id="list_referral_versions")
def referral_versions(request: HttpRequest, referral_id: int) -> Any:
    """The sent version and each amendment, with its reason and what it changed."""
    require_role(request.user, READERS)
    referral = open_referral(request, referral_id, "api")
    return [{"number": v.number, "at": v.at, "by": v.by, "reason": v.reason,
             "changes": [{"field": f, "before": b, "after": a} for f, b, a in v.changes]}
            for v in versions(referral)]


@router.post("/referrals", response={201: ReferralOut, **CASE_BODY_ERRORS},
             operation_id="start_referral")
def create_referral(request: HttpRequest, payload: ReferralIn) -> Any:
    """Start a draft referral, filled from the case record."""
    require_role(request.user, REFERRERS)
    person = open_case(request, payload.case_ref, "api")
    service = Service.objects.select_related("contract", "category").filter(
        pk=payload.service_id).first()
    if service is None:
        return field_errors(("service_id", "No service has that id"))
    try:
        return 201, referral_body(start_referral(request.user, person, service))
    except ReferralError as error:
        return field_errors(*(("service_id", m) for _f, m in error.problems))


@router.patch("/referrals/{int:referral_id}", response={200: ReferralOut, **CASE_BODY_ERRORS},
              operation_id="update_draft_referral")
def update_draft(request: HttpRequest, referral_id: int, payload: ReferralChanges) -> Any:
    """Save what the practitioner adds to a draft."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    try:
        return referral_body(save_draft(request.user, referral,
                                        payload.model_dump(exclude_unset=True)))
    except ReferralError as error:
        return _refused(error)


@router.post("/referrals/{int:referral_id}/send",
             response={200: ReferralOut, **CASE_INPUT_ERRORS}, operation_id="send_referral")
def send(request: HttpRequest, referral_id: int) -> Any:
    """Send a complete draft; an incomplete one answers 422 naming each missing field."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    try:
        return referral_body(send_referral(request.user, referral))
    except ReferralError as error:
        return _refused(error)


@router.post("/referrals/{int:referral_id}/amendments",
             response={200: ReferralOut, **CASE_BODY_ERRORS}, operation_id="amend_referral")
def amend(request: HttpRequest, referral_id: int, payload: AmendmentIn) -> Any:
    """Amend a sent referral with a reason; every version is kept."""
    require_role(request.user, REFERRERS)
    referral = open_referral(request, referral_id, "api")
    changes = payload.model_dump(exclude_unset=True)
    reason = changes.pop("reason")
    try:
        return referral_body(amend_referral(request.user, referral, changes, reason))
    except ReferralError as error:
        return _refused(error)

