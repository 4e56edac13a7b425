"""The demo KPI definitions (COM-3: one definition in every region) and each demo
contract's targets. Written again without duplicates when run twice; administrators change
them in the admin. The definitions are the language of ``omp.rules.kpi``."""

from decimal import Decimal

from django.db import migrations

#: code: (name, description, definition)
DEFINITIONS = {
    "IA5": ("Initial assessment within 5 working days",
            "Initial assessments held within 5 working days of the keyworker being assigned.",
            {"source": "referrals", "kind": "rate", "month": "initial_assessment_on",
             "denominator": [{"field": "keyworker_assigned_on", "op": "recorded"}],
             "numerator": [{"field": "assessment_working_days", "op": "at_most",
                            "value": 5}]}),
    "COMPLETE": ("Completion rate",
                 "Referrals that ended after the service started and were completed.",
                 {"source": "referrals", "kind": "rate", "month": "ended_on",
                  "denominator": [{"field": "state", "op": "in",
                                   "value": ["completed", "ended_early"]}],
                  "numerator": [{"field": "state", "op": "equals", "value": "completed"}]}),
    "ATTEND": ("Sessions attended",
               "Sessions whose attendance was recorded where the person came.",
               {"source": "sessions", "kind": "rate", "month": "starts_on",
                "denominator": [{"field": "attendance", "op": "recorded"}],
                "numerator": [{"field": "attendance", "op": "in", "value": ["yes", "late"]}]}),
    "OUTCOMES": ("Desired outcomes achieved",
                 "Support plan actions run through the contract's referrals, due in the "
                 "month, that were achieved.",
                 {"source": "outcomes", "kind": "rate", "month": "due_on",
                  "numerator": [{"field": "status", "op": "equals", "value": "achieved"}]}),
    "HOUSED": ("People supported into accommodation",
               "Accommodation actions run through the contract's referrals, due in the "
               "month, that were achieved.",
               {"source": "outcomes", "kind": "rate", "month": "due_on",
                "denominator": [{"field": "area", "op": "equals", "value": "accommodation"}],
                "numerator": [{"field": "status", "op": "equals", "value": "achieved"}]}),
    "FEEDBACK": ("Service user feedback score",
                 "The mean score people on probation gave the service, from 1 to 5.",
                 {"source": "feedback", "kind": "mean", "month": "given_on",
                  "value": "score"}),
    "REFERRALS": ("Referrals received", "Referrals sent to the contract in the month.",
                  {"source": "referrals", "kind": "count", "month": "sent_on"}),
}
#: code: (target, amber margin); HOUSED only for accommodation contracts.
TARGETS = {"IA5": ("90", "5"), "COMPLETE": ("70", "10"), "ATTEND": ("85", "5"),
           "OUTCOMES": ("60", "10"), "FEEDBACK": ("4.0", "0.5"), "REFERRALS": ("20", "5")}
HOUSED_TARGET = ("60", "10")


def forwards(apps, schema_editor):
    KpiDefinition = apps.get_model("commissioning", "KpiDefinition")
    CommissionedContract = apps.get_model("commissioning", "CommissionedContract")
    ContractKpi = apps.get_model("commissioning", "ContractKpi")
    found = {}
    for code, (name, description, definition) in DEFINITIONS.items():
        found[code], _ = KpiDefinition.objects.update_or_create(
            code=code, defaults={"name": name, "description": description,
                                 "definition": definition})
    for cc in CommissionedContract.objects.select_related("contract"):
        categories = set(cc.contract.services.values_list("category__code", flat=True))
        targets = dict(TARGETS)
        if "ACC" in categories:
            targets["HOUSED"] = HOUSED_TARGET
        for code, (target, margin) in targets.items():
            ContractKpi.objects.update_or_create(
                contract=cc, definition=found[code],
                defaults={"target": Decimal(target), "amber_margin": Decimal(margin)})


class Migration(migrations.Migration):
    dependencies = [("commissioning", "0003_kpi_figures")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
