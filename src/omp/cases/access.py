"""Opening a case: the one door every case page and API route goes through.

It checks the reader's role before looking the case up (so a user without access cannot
learn which case references exist) and writes the access-log row, so no page or route can
show a case without it being logged.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.shortcuts import get_object_or_404

from omp.access import CASE_READERS, require_role
from omp.cases.actions import log_case_access
from omp.cases.models import Person


def open_case(request: HttpRequest, case_ref: str, channel: str) -> Person:
    """The case ``case_ref`` for the signed-in user, logged as read through ``channel``.

    Raises ``PermissionDenied`` when the user's role may not read cases and ``Http404`` when
    there is no such case.
    """
    require_role(request.user, CASE_READERS)
    if not case_ref.isprintable():  # no reference has control characters (nor a NUL)
        raise Http404("No case has that reference")
    person = get_object_or_404(Person.objects.select_related("pdu__region"), case_ref=case_ref)
    log_case_access(request.user, person, channel, request.get_full_path())
    return person
