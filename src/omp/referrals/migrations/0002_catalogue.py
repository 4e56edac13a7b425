"""The demo catalogue: six providers (one a subcontractor), six contracts across London,
Greater Manchester, Wales and the whole of England and Wales, and the services, categories,
complexity levels, session caps and desired outcomes they offer. Written again without
duplicates when run twice; administrators change it in the admin."""

from datetime import date

from django.db import migrations

CATEGORIES = {
    "ACC": ("Accommodation", [
        "Secured suitable settled accommodation",
        "Kept their current accommodation (tenancy sustained)",
        "Housed on the day of release from custody",
        "Able to manage a tenancy: rent, bills and neighbours",
    ]),
    "ETE": ("Education, training and employment", [
        "Started paid work",
        "Started education or training and attended",
        "Gained a qualification or certificate",
        "Has a CV and has applied for work",
    ]),
    "FBD": ("Finance, benefits and debt", [
        "Receiving the benefits they are entitled to",
        "Has a bank account",
        "Debts in a repayment plan they can afford",
    ]),
    "DNR": ("Dependency and recovery", [
        "Engaged with a treatment service",
        "Reduced or stopped using drugs or alcohol",
        "Has a recovery support network in the community",
    ]),
    "PWB": ("Personal wellbeing", [
        "Registered with a GP and attending health appointments",
        "Improved emotional wellbeing, by their own account",
        "Built positive relationships with family or others",
        "Taking part in community activities",
    ]),
}
#: Complexity levels: (complexity, title, who it is for, session cap).
LEVELS = [
    ("LOW", "Low complexity", "Needs some help, and can do much for themselves with advice "
     "and signposting.", 4),
    ("MEDIUM", "Medium complexity", "Needs regular support over some weeks; one or two other "
     "needs make this harder.", 8),
    ("HIGH", "High complexity", "Needs intensive support: several needs at once, a crisis, "
     "or release from custody within weeks.", 12),
]
PROVIDERS = {
    "NWH": "Northway Housing Trust",
    "PFE": "Pathfinder Employment",
    "SCR": "Second Chance Recovery",
    "CAL": "Calon Wellbeing",
    "HWS": "Haven Women's Services",
    "BMA": "Bridge Money Advice",
}
#: reference, name, prime, subcontractors, region code, area, sexes (M, F), services.
CONTRACTS = [
    ("LDN-ACC-2026", "London accommodation services", "NWH", ["HWS"], "LDN", "", (True, True),
     [("ACC", "Housing support in London",
       "Help to find somewhere safe and settled to live, and to keep it: finding a place, "
       "sorting out rent and bills, and talking to landlords and councils.")]),
    ("LDN-ETE-2026", "London education, training and employment", "PFE", [], "LDN", "",
     (True, True),
     [("ETE", "Into work and learning",
       "Help to get into work, training or education: a CV, applications, interviews, and "
       "courses that lead to a job.")]),
    ("NAT-DNR-2026", "Dependency and recovery", "SCR", [], None, "", (True, True),
     [("DNR", "Recovery support",
       "Support to cut down or stop using drugs or alcohol, and to stay well: one-to-one "
       "sessions and groups, and links to treatment.")]),
    ("WAL-PWB-2026", "Wales personal wellbeing", "CAL", [], "WAL", "", (True, True),
     [("PWB", "Wellbeing and relationships (Wales)",
       "Support with your health, feelings and relationships, and to take part in your "
       "community. Available in Welsh and English.")]),
    ("LDN-WOM-2026", "Women's services, London", "HWS", [], "LDN", "", (False, True),
     [("PWB", "Women's wellbeing service",
       "Support for women, from women: health, relationships, safety and confidence, in a "
       "women-only space.")]),
    ("GM-FBD-2026", "Finance, benefits and debt", "BMA", [], "GM", "Greater Manchester CPA",
     (True, True),
     [("FBD", "Money advice",
       "Help with money: claiming the benefits you are owed, opening a bank account, and "
       "dealing with debts.")]),
]


def forwards(apps, schema_editor):
    category_model = apps.get_model("referrals", "ServiceCategory")
    level_model = apps.get_model("referrals", "ComplexityLevel")
    outcome_model = apps.get_model("referrals", "DesiredOutcome")
    provider_model = apps.get_model("referrals", "Provider")
    contract_model = apps.get_model("referrals", "Contract")
    service_model = apps.get_model("referrals", "Service")
    region_model = apps.get_model("cases", "Region")
    categories = {}
    for code, (name, outcomes) in CATEGORIES.items():
        category, _ = category_model.objects.update_or_create(code=code, defaults={"name": name})
        categories[code] = category
        for complexity, title, description, cap in LEVELS:
            level_model.objects.update_or_create(
                category=category, complexity=complexity,
                defaults={"title": title, "description": description, "session_cap": cap})
        for description in outcomes:
            outcome_model.objects.get_or_create(category=category, description=description)
    providers = {code: provider_model.objects.update_or_create(
        code=code, defaults={"name": name})[0] for code, name in PROVIDERS.items()}
    for reference, name, prime, subs, region, area, (male, female), services in CONTRACTS:
        contract, _ = contract_model.objects.update_or_create(reference=reference, defaults={
            "name": name, "prime_provider": providers[prime],
            "region": region_model.objects.filter(code=region).first() if region else None,
            "contract_package_area": area, "minimum_age": 18, "allows_male": male,
            "allows_female": female, "starts_on": date(2026, 1, 1),
            "ends_on": date(2029, 3, 31)})
        contract.subcontractors.set([providers[code] for code in subs])
        for category, title, description in services:
            service_model.objects.update_or_create(
                contract=contract, title=title,
                defaults={"category": categories[category], "description": description})


class Migration(migrations.Migration):
    dependencies = [("referrals", "0001_initial"), ("cases", "0002_reference_data")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
