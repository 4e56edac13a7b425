"""Demo referrals (demo data only): referrals to each of the demo catalogue's six
commissioned services, made by the demo ``com`` user and each provider's keyworker through
the same actions as the pages, and replayed at the moments they happened over the contracts'
year so far. Each referral goes as far as its story and the calendar allow — sent, assigned,
assessed, planned, sessions held, missed or not run, withdrawn, concluded with an
end-of-service report and the person's feedback (online or on paper) — so the dashboards,
the KPIs and the segmentation have a year of figures to show, and each demo provider user
sees its own referrals and not another's (REF-9)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

#: The services used, with the demo provider user (the keyworker) of each one's provider.
DEMO_SERVICES = (("Housing support in London", "provider"),
                 ("Recovery support", "provider_recovery"),
                 ("Into work and learning", "provider_employment"),
                 ("Money advice", "provider_money"),
                 ("Wellbeing and relationships (Wales)", "provider_wales"),
                 ("Women's wellbeing service", "provider_women"))
#: How many referrals of each service are attempted (a person in custody with no release
#: date cannot be sent, and is left as a draft).
PER_SERVICE = 30
#: How often a referral is withdrawn part way (of those sent long enough ago).
WITHDRAWN_SHARE = 0.12
_PROGRESS = ("Found a one-bedroom flat with a housing association and moved in.",
             "Worked through a budget and cleared two months of arrears.",
             "Went to every group session and stayed in touch with the clinic.",
             "Made a start, but left before the last sessions.")
_COMMENTS = ("My keyworker listened and did not judge me.",
             "It helped, but the office was hard to get to.", "", "Good people.")
_ENGAGEMENT = ("Engaged and completed the work planned.",
               "Quiet at first, then talked through the plan for the next weeks.",
               "Brought the letters we asked for; we filled in two forms together.",
               "Arrived late and distracted, but stayed to the end.")
_LONDON = ZoneInfo("Europe/London")


@contextmanager
def acting_at(day: date, hour: int = 10, minute: int = 0) -> Iterator[None]:
    """Within the block the actions stamp ``day`` at ``hour``:``minute`` (London time) and
    the clock answers ``day``: the demo replays each referral's history when it happened,
    so every timestamp the actions write (events, plans, sessions, history rows,
    notifications, webhook events) agrees with the others."""
    from unittest import mock

    from django.utils import timezone

    from omp.clock import frozen_at

    moment = datetime.combine(day, time(hour, minute), _LONDON)
    with mock.patch.object(timezone, "now", return_value=moment), frozen_at(day):
        yield


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
    custody record with no release date: it is left as a draft; or a person not eligible
    on that day)."""
    from omp.clock import today
    from omp.referrals import actions

    sent_on = today() - timedelta(days=days_ago)
    with acting_at(sent_on, 9, 15):
        try:  # eligible today, but perhaps not yet then (too young), or no release date
            referral = actions.start_referral(practitioner, person, service)
            actions.save_draft(practitioner, referral, complete_answers(service, rng))
            return actions.send_referral(practitioner, referral)
        except actions.ReferralError:
            return None


class _Story:
    """One referral's history after it was sent, replayed day by day until its end or
    today: each step happens a few days after the one before, and the story stops at the
    first step that would fall today or later (the referral waits there)."""

    def __init__(self, practitioner: Any, keyworker: Any, referral: Any, rng: random.Random,
                 today: date) -> None:
        self.practitioner, self.keyworker, self.referral = practitioner, keyworker, referral
        self.rng, self.today = rng, today
        from django.utils import timezone

        self.day = timezone.localdate(referral.sent_at)

    def after(self, least: int, most: int) -> bool:
        """Move on ``least`` to ``most`` days; False when that reaches today."""
        self.day += timedelta(days=self.rng.randint(least, most))
        return self.day < self.today

    def tell(self) -> str:
        """Play the story; the stage the referral reached."""
        from omp.referrals import actions

        rng, referral, keyworker = self.rng, self.referral, self.keyworker
        withdraw_at = (rng.choice(("sent", "assessed", "sessions"))
                       if rng.random() < WITHDRAWN_SHARE else "")
        if withdraw_at == "sent":
            return self.withdraw(rng.choice(("MIS", "NEE", "MOV")))
        if not self.after(1, 4):
            return "sent"
        with acting_at(self.day, 11):
            actions.assign_keyworker(keyworker, referral, keyworker.username)
        if not self.after(1, 8):
            return "assigned"
        with acting_at(self.day, 15):
            actions.record_initial_assessment(keyworker, referral, self.day)
        if withdraw_at == "assessed":
            return self.withdraw(rng.choice(("WOR", "MOV", "NEE")))
        if not self.after(1, 5):
            return "assessed"
        cap = referral.complexity_level.session_cap
        planned = rng.randint(4, min(cap, 8))
        with acting_at(self.day, 14):
            actions.submit_action_plan(keyworker, referral, planned,
                                       ["One-to-one sessions", "Help with applications"])
        if not self.after(1, 4):
            return "plan submitted"
        with acting_at(self.day, 10):
            actions.approve_action_plan(self.practitioner, referral, 1)
        held = 0
        for number in range(planned):
            if not self.after(5, 9):
                return "in delivery"
            method = rng.choice(("phone", "video", "probation_office", "in_person_other"))
            where = {"probation_office": "Probation office, 1 High Street",
                     "in_person_other": "Community centre, 12 Market Road"}.get(method, "")
            with acting_at(self.day - timedelta(days=3), 16):
                booked = actions.book_session(keyworker, referral, self.day, "10:30", 60,
                                              method, where, True)
            came = rng.choices(("yes", "late", "no"), (70, 15, 15))[0]
            took = came != "no" and rng.random() > 0.05
            with acting_at(self.day, 12):
                actions.record_attendance(
                    keyworker, referral, booked.pk, came, "yes" if took else "no",
                    "" if took else ("non_compliance" if came == "no" else "logistics"),
                    rng.choice(_ENGAGEMENT) if took else "")
            held += took
            if withdraw_at == "sessions" and number >= 1:
                return self.withdraw("NOT")
        if not self.after(3, 10):
            return "in delivery"
        with acting_at(self.day, 15):
            self.report(held / planned)
        if not self.after(1, 4):
            return "report submitted"
        with acting_at(self.day, 9, 30):
            actions.conclude_referral(self.practitioner, referral, 1)
        if rng.random() < 0.6 and self.after(1, 10):
            self.feedback()
        return "concluded"

    def withdraw(self, reason: str) -> str:
        from omp.referrals import actions

        if not self.after(1, 6):
            return "sent"
        with acting_at(self.day, 13):
            actions.withdraw_referral(self.practitioner, self.referral, reason,
                                      "Agreed with the person at supervision.")
        return "withdrawn"

    def report(self, share_held: float) -> None:
        """The end-of-service report: the more sessions held, the more outcomes achieved."""
        from omp.referrals import actions

        levels = ("achieved", "partly", "not_achieved")
        weights = (1 + 8 * share_held, 3, 1 + 4 * (1 - share_held))
        ratings = {i: {"achievement": self.rng.choices(levels, weights)[0],
                       "notes": self.rng.choice(_PROGRESS)}
                   for i in self.referral.desired_outcome_ids}
        actions.submit_end_of_service_report(self.keyworker, self.referral, ratings,
                                             "Contact details for aftercare given.")

    def feedback(self) -> None:
        """The person's feedback, on paper through the keyworker or online by a link."""
        from omp.referrals import actions

        helpfulness, recommend = self.rng.choice(((5, "yes"), (4, "yes"), (4, "yes"),
                                                  (3, "not_sure"), (2, "no")))
        comments = self.rng.choice(_COMMENTS)
        with acting_at(self.day, 16):
            if self.rng.random() < 0.5:
                actions.record_paper_feedback(self.keyworker, self.referral, helpfulness,
                                              recommend, comments)
            else:
                _link, token = actions.create_feedback_link(self.practitioner, self.referral)
                actions.give_feedback(token, helpfulness, recommend, comments)


def demo_referrals(seed: int) -> int:
    """Make the demo referrals (once: none are made when referrals exist, nor without the
    catalogue the migrations write); the number sent. Each service's referrals are sent
    over the year so far of its contract, more of them recently, and each plays its story
    to today."""
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
    on = today()
    people = list(Person.objects.select_related("pdu__region").order_by("pk")[:5000])
    made = 0
    for title, keyworker_name in DEMO_SERVICES:
        service = Service.objects.select_related("contract__region", "category").get(
            title=title)
        keyworker = User.objects.get(username=keyworker_name)
        eligible = [p for p in people if not eligibility_problems(service, p, on)]
        running = max(30, min(330, (on - service.contract.starts_on).days - 3))
        for index, person in enumerate(rng.sample(eligible, min(PER_SERVICE, len(eligible)))):
            # Two sent yesterday, waiting for the provider; the rest over the contract's
            # year so far, more of them recently, as a service taking on work would have.
            days_ago = 1 if index < 2 else 3 + int((running - 3) * rng.random() ** 1.5)
            referral = send_complete(practitioner, person, service, rng, days_ago)
            if referral is None:
                continue
            made += 1
            _Story(practitioner, keyworker, referral, rng, on).tell()
    return made
