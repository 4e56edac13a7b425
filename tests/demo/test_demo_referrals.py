"""Demo referrals: made through the actions at every stage, some concluded with an
end-of-service report and the person's feedback (online and on paper), for two providers
whose demo users each see only their own (REF-9)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


def test_demo_referrals_at_every_stage_some_concluded_with_outcomes(db: Any) -> None:
    from django.contrib.auth.models import User

    from omp.demo.load import load_demo
    from omp.demo.referrals import demo_referrals
    from omp.referrals.models import EndOfServiceReport, PersonFeedback, Referral
    from omp.referrals.queries import states_for, visible_referrals

    load_demo(400, seed=5)
    made = demo_referrals(5)
    assert made >= 10
    referrals = list(Referral.objects.all())
    states = {s.code for s in states_for(referrals).values()}
    assert {"completed", "in_delivery", "sent"} <= states
    assert EndOfServiceReport.objects.count() >= 6
    channels = set(PersonFeedback.objects.values_list("channel", flat=True))
    assert channels == {"online", "paper"}
    housing = set(visible_referrals(User.objects.get(username="provider")))
    recovery = set(visible_referrals(User.objects.get(username="provider_recovery")))
    assert housing and recovery and not housing & recovery
    assert demo_referrals(5) == 0  # once only
