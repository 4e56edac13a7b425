"""Commissioning reference and demo data: the 21 contract package areas (from the outcomes
package's ``reference/cpas.json``, each with its PDUs and so its region), whether each
provider is a small or specialist organisation (three small specialists join as
subcontractors), and for each contract of the referral catalogue its specification, unit
costs, stage plans with owners and evidence expected, market-engagement and tender windows,
moves through the cycle, and its supply chain month by month from January 2026. Written
again without duplicates when run twice; administrators change it in the admin."""

import json
import random
from datetime import UTC, date, datetime
from decimal import Decimal
from importlib import resources

from django.db import migrations

#: code: (name, small, specialist, specialism)
PROFILES = {
    "NWH": ("Northway Housing Trust", False, False, ""),
    "PFE": ("Pathfinder Employment", False, False, ""),
    "SCR": ("Second Chance Recovery", False, True, "Drug and alcohol recovery"),
    "CAL": ("Calon Wellbeing", True, True, "Wellbeing services in Welsh and English"),
    "HWS": ("Haven Women's Services", True, True, "Services for women, by women"),
    "BMA": ("Bridge Money Advice", True, False, ""),
    "OPH": ("Open Path Housing Co-operative", True, True,
            "Housing on release from custody"),
    "RCN": ("Recovery Connections", True, True, "Peer-led recovery communities"),
    "LWT": ("Learn to Work Trust", True, False, ""),
}
STAGE_DATES = {
    "plan": (date(2025, 1, 6), date(2025, 5, 30)),
    "buy": (date(2025, 6, 2), date(2025, 12, 19)),
    "do": (date(2026, 1, 1), date(2029, 3, 31)),
    "review": (date(2028, 10, 2), date(2029, 3, 31)),
}
EVIDENCE = {
    "plan": "The needs assessment for the area, the segmentation of the population by risk "
            "and need, and the commissioning intentions agreed and published.",
    "buy": "The market engagement record, the tender evaluation and moderation, and the "
           "signed contract with its service specification.",
    "do": "Monthly KPI returns, quarterly contract review minutes and supply chain returns.",
    "review": "Outcomes against the specification, reoffending results, service user "
              "feedback and recommendations for the next round.",
}
OWNERS = {"plan": "Head of commissioning", "buy": "Commercial lead",
          "do": "Contract manager", "review": "Head of commissioning"}
COMMON_OUTPUTS = [
    ("Initial assessment within 5 working days of the keyworker being assigned",
     "90% of referrals"),
    ("End-of-service report within 10 working days of the last session",
     "95% of referrals completed"),
]
OUTCOMES = {
    "ACC": [("People supported into settled accommodation", "60% of people completing"),
            ("Tenancies kept for six months or more", "70% of people housed")],
    "ETE": [("People started in paid work, education or training", "30% of people completing"),
            ("People with a CV and applications made", "80% of people completing")],
    "DNR": [("People engaged with a treatment service", "65% of people completing"),
            ("Reduced or stopped use, by the person's own account", "50% of people completing")],
    "PWB": [("Wellbeing improved, by the person's own account", "60% of people completing"),
            ("Registered with a GP", "90% of people completing")],
    "FBD": [("Receiving the benefits they are entitled to", "75% of people completing"),
            ("Debts in an affordable repayment plan", "50% of people with debts")],
}
#: reference: (CPA code, annual value, specialist share target, commissioner, category,
#:   [(stage, moved on)], [(provider code, delivers, joined on, weight)], seed)
CONTRACTS = {
    "LDN-ACC-2026": ("LDN", 2_400_000, 25, "London commissioning team", "ACC",
                     [("plan", date(2025, 1, 6)), ("buy", date(2025, 6, 2)),
                      ("do", date(2026, 1, 5))],
                     [("NWH", "Housing support and tenancy sustainment", date(2026, 1, 1), 70),
                      ("HWS", "Housing support for women", date(2026, 1, 1), 18),
                      ("OPH", "Housing on the day of release", date(2026, 3, 1), 12)], 1),
    "LDN-ETE-2026": ("LDN", 1_500_000, 20, "London commissioning team", "ETE",
                     [("plan", date(2025, 1, 6)), ("buy", date(2025, 6, 2)),
                      ("do", date(2026, 1, 5))],
                     [("PFE", "Employment support and job brokerage", date(2026, 1, 1), 80),
                      ("LWT", "Courses and qualifications", date(2026, 1, 1), 20)], 2),
    "NAT-DNR-2026": (None, 5_200_000, 30, "National commissioning team", "DNR",
                     [("plan", date(2025, 1, 6)), ("buy", date(2025, 6, 2)),
                      ("do", date(2026, 1, 5)), ("review", date(2026, 10, 1))],
                     [("SCR", "One-to-one recovery support and groups", date(2026, 1, 1), 75),
                      ("RCN", "Peer-led recovery communities", date(2026, 2, 1), 25)], 3),
    "WAL-PWB-2026": ("WAL", 900_000, 15, "Wales commissioning team", "PWB",
                     [("plan", date(2025, 1, 6)), ("buy", date(2025, 6, 2)),
                      ("do", date(2026, 1, 5))],
                     [("CAL", "Wellbeing and relationships support", date(2026, 1, 1), 100)],
                     4),
    "LDN-WOM-2026": ("LDN", 750_000, None, "London commissioning team", "PWB",
                     [("plan", date(2025, 1, 6)), ("buy", date(2025, 6, 2)),
                      ("do", date(2026, 1, 5))],
                     [("HWS", "Women's wellbeing service", date(2026, 1, 1), 100)], 5),
    "GM-FBD-2026": ("CGM", 600_000, 20, "Greater Manchester commissioning team", "FBD",
                    [("plan", date(2025, 1, 6)), ("buy", date(2025, 6, 2)),
                     ("do", date(2026, 1, 5)), ("review", date(2026, 9, 1)),
                     ("plan", date(2026, 11, 2))],
                    [("BMA", "Money, benefits and debt advice", date(2026, 1, 1), 100)], 6),
}
UNIT_COSTS = [("Initial assessment", "per referral", "180.00"),
              ("Session delivered", "per session", "95.00"),
              ("End-of-service report", "per completed referral", "60.00")]
MONTHS = [date(2026, month, 1) for month in range(1, 12)]


def _cpas(apps):
    cpa_model = apps.get_model("commissioning", "ContractPackageArea")
    pdu_model = apps.get_model("cases", "ProbationDeliveryUnit")
    text = resources.files("omp.outcomes").joinpath("reference", "cpas.json").read_text()
    for entry in json.loads(text)["cpas"]:
        pdus = list(pdu_model.objects.filter(code__in=entry["pdus"]))
        if not pdus:
            continue
        cpa, _ = cpa_model.objects.update_or_create(
            code=entry["code"], defaults={"name": entry["name"], "region": pdus[0].region})
        cpa.pdus.set(pdus)


def _supply_chain(apps, cc, contract, members, seed, providers):
    member_model = apps.get_model("commissioning", "SupplyChainMember")
    month_model = apps.get_model("commissioning", "SupplyChainMonth")
    rng = random.Random(seed)
    monthly_value = Decimal(cc.annual_value) / 12
    subcontractors = []
    for code, delivers, joined, weight in members:
        member, _ = member_model.objects.update_or_create(
            contract=cc, provider=providers[code],
            defaults={"delivers": delivers, "joined_on": joined})
        if providers[code].pk != contract.prime_provider_id:
            subcontractors.append(providers[code])
        for month in MONTHS:
            if month < joined:
                continue
            share = Decimal(weight) / 100 * Decimal(rng.uniform(0.85, 1.15))
            referrals = max(0, round(rng.gauss(weight * 0.9, weight * 0.2)))
            month_model.objects.update_or_create(member=member, month=month, defaults={
                "value": (monthly_value * share).quantize(Decimal("0.01")),
                "referrals": referrals})
    contract.subcontractors.add(*subcontractors)


def forwards(apps, schema_editor):
    _cpas(apps)
    provider_model = apps.get_model("referrals", "Provider")
    profile_model = apps.get_model("commissioning", "ProviderProfile")
    contract_model = apps.get_model("referrals", "Contract")
    cc_model = apps.get_model("commissioning", "CommissionedContract")
    cpa_model = apps.get_model("commissioning", "ContractPackageArea")
    providers = {}
    for code, (name, small, specialist, specialism) in PROFILES.items():
        provider, _ = provider_model.objects.get_or_create(code=code, defaults={"name": name})
        providers[code] = provider
        profile_model.objects.update_or_create(provider=provider, defaults={
            "small_organisation": small, "specialist": specialist, "specialism": specialism})
    for reference, (cpa, value, target, commissioner, category, moves, members,
                    seed) in CONTRACTS.items():
        contract = contract_model.objects.filter(reference=reference).first()
        if contract is None:
            continue
        cc, _ = cc_model.objects.update_or_create(contract=contract, defaults={
            "cpa": cpa_model.objects.filter(code=cpa).first() if cpa else None,
            "annual_value": Decimal(value), "specialist_share_target": target,
            "commissioner": commissioner})
        for order, (description, minimum) in enumerate(OUTCOMES[category]):
            cc.specification.update_or_create(kind="outcome", description=description,
                                              defaults={"minimum": minimum, "order": order})
        for order, (description, minimum) in enumerate(COMMON_OUTPUTS):
            cc.specification.update_or_create(kind="output", description=description,
                                              defaults={"minimum": minimum, "order": order})
        for item, unit, price in UNIT_COSTS:
            cc.unit_costs.update_or_create(item=item, defaults={"unit": unit,
                                                                "price": Decimal(price)})
        for stage, (starts, ends) in STAGE_DATES.items():
            cc.stage_plans.update_or_create(stage=stage, defaults={
                "starts_on": starts, "ends_on": ends, "owner": OWNERS[stage],
                "evidence_expected": EVIDENCE[stage]})
        cc.windows.update_or_create(kind="market_engagement", defaults={
            "opens_on": date(2025, 3, 3), "closes_on": date(2025, 5, 23),
            "notes": "Engagement events in each area, open to small and specialist "
                     "organisations"})
        cc.windows.update_or_create(kind="tender", defaults={
            "opens_on": date(2025, 6, 2), "closes_on": date(2025, 9, 26)})
        if not cc.stage_moves.exists():
            before = ""
            for stage, day in moves:
                cc.stage_moves.create(
                    from_stage=before, to_stage=stage,
                    at=datetime(day.year, day.month, day.day, 9, tzinfo=UTC),
                    evidence=EVIDENCE[before] if before else "")
                before = stage
        _supply_chain(apps, cc, contract, members, seed, providers)


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
