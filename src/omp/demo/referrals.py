"""Demo referrals (demo data only): referrals to Northway Housing Trust's London housing
support and Second Chance Recovery's national recovery service, made by the demo ``com``
user through the same actions as the pages, at every stage — sent, in delivery, and
concluded with an end-of-service report and the person's feedback (online or on paper) —
so that each demo provider user sees its own and not the other's (REF-9)."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

#: The services used, with the demo provider user that works for each one's provider.
DEMO_SERVICES = (("Housing support in London", "provider"), ("Recovery support",
                                                            "provider_recovery"))
#: How many referrals of each service, and how many of those are concluded.
PER_SERVICE = 8
CONCLUDED = 4
_PROGRESS = ("Found a one-bedroom flat with a housing association and moved in.",
             "Worked through a budget and cleared two months of arrears.",
             "Went to every group session and stayed in touch with the clinic.",
             "Made a start, but left before the last sessions.")
_COMMENTS = ("My keyworker listened and did not judge me.",
             "It helped, but the office was hard to get to.", "", "Good people.")


def backdate(referral: Any, days: int) -> None:
    """Move a sent referral and its events ``days`` back, as if sent then (demo data)."""
    from django.db.models import F

    from omp.referrals.models import Referral, ReferralEvent

    Referral.objects.filter(pk=referral.pk).update(sent_at=F("sent_at") - timedelta(days=days))
    ReferralEvent.objects.filter(referral=referral).update(at=F("at") - timedelta(days=days))
    referral.refresh_from_db()


def complete_answers(service: Any, rng: random.Random) -> dict[str, Any]:
    """What a practitioner adds to a referral to ``service`` to make it complete (REF-2)."""
    from omp.clock import today

    category = service.category
    outcomes = list(category.desired_outcomes.filter(retired_on__isnull=True))
    return {"complexity_level": rng.choice(list(category.complexity_levels.all())).pk,
            "desired_outcomes": [o.pk for o in rng.sample(outcomes, min(2, len(outcomes)))],
            "readiness": rng.choice(("ready", "with_support")), "enforceable_days": "10",
            "completion_deadline": (today() + timedelta(days=120)).isoformat(),
            "reason_for_referral": "Needs identified at the last supervision appointment.",
            "explanation_for_person": f"{service.title}: {service.description}"}


def send_complete(practitioner: Any, person: Any, service: Any, rng: random.Random,
                  days_ago: int) -> Any:
    """A referral of ``person`` to ``service``, completed and sent ``days_ago`` days ago by
    ``practitioner`` through the pages' actions; ``None`` when it cannot be sent (e.g. a
    custody record with no release date: it is left as a draft)."""
    from omp.referrals import actions

    referral = actions.start_referral(practitioner, person, service)
    actions.save_draft(practitioner, referral, complete_answers(service, rng))
    try:
        actions.send_referral(practitioner, referral)
    except actions.ReferralError:
        return None
    backdate(referral, days_ago)
    return referral


def _deliver(practitioner: Any, keyworker: Any, referral: Any, rng: random.Random,
             sessions: int) -> None:
    """Assign, assess, plan, approve and hold ``sessions`` sessions, in the past."""
    from django.utils import timezone

    from omp.referrals import actions

    actions.assign_keyworker(keyworker, referral, keyworker.username)
    actions.record_initial_assessment(keyworker, referral,
                                      timezone.localdate() - timedelta(days=55))
    cap = referral.complexity_level.session_cap
    actions.submit_action_plan(keyworker, referral, min(cap, max(sessions, 4)),
                               ["One-to-one sessions", "Help with applications"])
    actions.approve_action_plan(practitioner, referral, 1)
    for number in range(sessions):
        day = timezone.localdate() - timedelta(days=45 - 7 * number)
        booked = actions.book_session(keyworker, referral, day, "10:30", 60, "phone", "",
                                      True)
        came = rng.choice(("yes", "yes", "late"))
        actions.record_attendance(keyworker, referral, booked.pk, came, "yes", "",
                                  "Engaged and completed the work planned.")


def _conclude(practitioner: Any, keyworker: Any, referral: Any, index: int,
              rng: random.Random) -> None:
    from omp.referrals import actions

    levels = ("achieved", "partly", "not_achieved")
    ratings = {i: {"achievement": rng.choices(levels, (5, 3, 2))[0],
                   "notes": _PROGRESS[(index + n) % len(_PROGRESS)]}
               for n, i in enumerate(referral.desired_outcome_ids)}
    actions.submit_end_of_service_report(keyworker, referral, ratings,
                                         "Contact details for aftercare given.")
    actions.conclude_referral(practitioner, referral, 1)
    helpfulness, recommend = rng.choice(((5, "yes"), (4, "yes"), (3, "not_sure"), (2, "no")))
    comments = _COMMENTS[index % len(_COMMENTS)]
    if index % 2:
        actions.record_paper_feedback(keyworker, referral, helpfulness, recommend, comments)
    else:
        _link, token = actions.create_feedback_link(practitioner, referral)
        actions.give_feedback(token, helpfulness, recommend, comments)


def demo_referrals(seed: int) -> int:
    """Make the demo referrals (once: none are made when referrals exist, nor without the
    catalogue the migrations write); the number made."""
    from django.contrib.auth.models import User

    from omp.cases.models import Person
    from omp.clock import today
    from omp.demo.load import DEMO_PASSWORD
    from omp.referrals import actions
    from omp.referrals.cli import DEMO_STAFF
    from omp.referrals.models import Referral, Service
    from omp.referrals.queries import eligibility_problems

    titles = [title for title, _user in DEMO_SERVICES]
    if Referral.objects.exists() or Service.objects.filter(title__in=titles).count() < len(
            titles) or not User.objects.filter(username="com").exists():
        return 0  # made already, or no catalogue (a database flushed by a test) or users
    for username, code in DEMO_STAFF.items():
        actions.link_provider_staff(username, code, DEMO_PASSWORD)
    practitioner = User.objects.get(username="com")
    rng = random.Random(seed)
    people = list(Person.objects.select_related("pdu__region").order_by("pk")[:3000])
    made = 0
    for title, keyworker_name in DEMO_SERVICES:
        service = Service.objects.select_related("contract__region", "category").get(
            title=title)
        keyworker = User.objects.get(username=keyworker_name)
        eligible = [p for p in people if not eligibility_problems(service, p, today())]
        for index, person in enumerate(rng.sample(eligible, min(PER_SERVICE, len(eligible)))):
            referral = send_complete(practitioner, person, service, rng, days_ago=60)
            if referral is None:
                continue
            made += 1
            if index >= CONCLUDED + 2:
                continue  # sent, waiting for the provider
            _deliver(practitioner, keyworker, referral, rng, 3 if index < CONCLUDED else 1)
            if index < CONCLUDED:
                _conclude(practitioner, keyworker, referral, index, rng)
    return made
