"""Organisation reference data (regions, PDUs with provider codes, prisons), loaded from
``reference_data.json`` by a data migration and kept editable in the admin."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

REFERENCE_FILE = Path(__file__).with_name("reference_data.json")


def reference_data() -> dict[str, Any]:
    """The bundled reference data."""
    return json.loads(REFERENCE_FILE.read_text())


def load_reference_data(apps: Any) -> None:
    """Create or update regions, PDUs and prisons (idempotent; used by the migration)."""
    region_model = apps.get_model("cases", "Region")
    pdu_model = apps.get_model("cases", "ProbationDeliveryUnit")
    prison_model = apps.get_model("cases", "Prison")
    data = reference_data()
    for region in data["regions"]:
        row, _ = region_model.objects.update_or_create(
            code=region["code"], defaults={"name": region["name"], "country": region["country"]})
        for pdu in region["pdus"]:
            pdu_model.objects.update_or_create(
                code=pdu["code"], defaults={"name": pdu["name"], "region": row,
                                            "provider_code": region["provider_code"]})
    for prison in data["prisons"]:
        prison_model.objects.update_or_create(
            code=prison["code"], defaults={k: v for k, v in prison.items() if k != "code"})
