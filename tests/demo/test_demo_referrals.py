"""Demo referrals: made through the actions at every stage, over the contracts' year so far
with every timestamp in the order the story happened, some concluded with an end-of-service
report and the person's feedback (online and on paper), for six providers whose demo users
each see only their own (REF-9)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_demo_referrals_at_every_stage_some_concluded_with_outcomes(db: Any,
                                                                  monkeypatch: Any) -> None:
    from django.contrib.auth.models import User

    from omp.demo import referrals as demo
    from omp.demo.load import load_demo
    from omp.demo.referrals import demo_referrals
    from omp.referrals.models import EndOfServiceReport, PersonFeedback, Referral
    from omp.referrals.queries import states_for, visible_referrals

    monkeypatch.setattr(demo, "PER_SERVICE", 12)  # a smaller demo, the same stories
    load_demo(400, seed=5)
    made = demo_referrals(5)
    assert made >= 40
    referrals = list(Referral.objects.all())
    states = {s.code for s in states_for(referrals).values()}
    assert {"completed", "in_delivery", "sent"} <= states
    assert states & {"cancelled", "ended_early"}  # withdrawn before or after a session
    # Sent over the year so far, and each story told in order, none of it in the future.
    from django.utils import timezone

    from omp.clock import today
    from omp.referrals.models import Appointment, ReferralEvent

    sent = [r.sent_at for r in referrals if r.sent_at]
    assert len({(moment.year, moment.month) for moment in sent}) >= 6
    for referral in referrals:
        moments = list(ReferralEvent.objects.filter(referral=referral)
                       .order_by("id").values_list("at", flat=True))
        assert moments == sorted(moments) and (not moments or moments[0] == referral.sent_at)
        assert all(timezone.localdate(moment) < today() for moment in moments)
    # Every session booked in the past has its attendance recorded.
    assert Appointment.objects.exists()
    assert not Appointment.objects.filter(attendance="", starts_at__date__lt=today()).exists()
    assert EndOfServiceReport.objects.count() >= 6
    channels = set(PersonFeedback.objects.values_list("channel", flat=True))
    assert channels == {"online", "paper"}
    housing = set(visible_referrals(User.objects.get(username="provider")))
    recovery = set(visible_referrals(User.objects.get(username="provider_recovery")))
    assert housing and recovery and not housing & recovery
    # Haven Women's Services delivers its own service and, as a subcontractor, London
    # housing support; Bridge Money Advice only its own.
    women = set(visible_referrals(User.objects.get(username="provider_women")))
    money = set(visible_referrals(User.objects.get(username="provider_money")))
    assert housing <= women and not women & recovery and women - housing
    assert money and not money & (women | recovery)
    assert demo_referrals(5) == 0  # once only
