"""Every code the portal or an upstream can show has words (portal.labels), and an unknown one is readable.

The vocabularies are walked against where the codes come from: the OCPI enumerations the simulator and
the validation rules use, ChargEye's failure classes, the registered operation handlers, the refreshers'
entities and every audit action the code writes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from portal import labels
from outbox.operations import HANDLERS
from sync.refreshers import refreshers
from simulator import live, ocpi
from stations import validation
from stations.bulk.models import Batch

ROOT = Path(__file__).resolve().parents[2]
SOURCES: dict[str, tuple[str, ...]] = {
    "standard": (*ocpi.STANDARDS, *validation.STANDARDS),
    "format": (*ocpi.FORMATS, *validation.FORMATS),
    "power_type": (*ocpi.POWER_TYPES, *validation.POWER_TYPES),
    "capability": (*ocpi.CAPABILITIES, *validation.CAPABILITIES),
    "parking": (*ocpi.PARKING_RESTRICTIONS, *validation.PARKING_RESTRICTIONS),
    "evse_status": ocpi.STATUSES,
    "failure": live._FAIL_CLASSES,
}


def audit_actions_in_code() -> set[str]:
    """Every literal action handed to audit_record in the project's own code (and each operation kind)."""
    found: set[str] = set()
    for path in ROOT.glob("*/**/*.py"):
        if {".venv", "tests", "migrations"} & set(path.parts):
            continue
        text = path.read_text(encoding="utf-8")
        found |= set(re.findall(r'action=f?"([a-z_]+\.[a-z_]+)"', text))
        found |= set(re.findall(r'_audit(?:_backend)?\(\s*\w+,\s*"([a-z_]+\.[a-z_]+)"', text))
    return found | set(HANDLERS) | {f"batch.{kind}" for kind in Batch.Kind.values}  # action=f"batch.{batch.kind}"


@pytest.mark.parametrize("vocabulary", sorted(SOURCES))
def test_every_upstream_code_has_words(vocabulary: str) -> None:
    missing = sorted(set(SOURCES[vocabulary]) - set(labels.VOCABULARIES[vocabulary]))
    assert not missing, f"{vocabulary}: no words for {missing}"


def test_every_portal_code_has_words() -> None:
    assert not set(HANDLERS) - set(labels.OPERATION_KINDS)
    actions = audit_actions_in_code()
    assert {"user.create", "station.put", "schedule.update", "batch.change"} <= actions  # the walk finds them
    assert not actions - set(labels.AUDIT_ACTIONS), sorted(actions - set(labels.AUDIT_ACTIONS))
    entities = {r.entity for r in refreshers().values()} | {"station", "location", "station_model",
                                                            "maintenance_window", "user", "company", "backend"}
    assert not entities - set(labels.ENTITIES), sorted(entities - set(labels.ENTITIES))


@pytest.mark.parametrize("vocabulary", sorted(labels.VOCABULARIES))
def test_words_are_words(vocabulary: str) -> None:
    for code, words in labels.VOCABULARIES[vocabulary].items():
        text = str(words)
        assert text.strip() and "_" not in text and text != code or code in ("DC", "AC"), (code, text)


def test_an_unknown_code_is_written_readably() -> None:
    assert labels.label("SOME_NEW_CONNECTOR", "standard") == "Some new connector"
    assert labels.label("station.teleport", "operation") == "Station teleport"
    assert labels.label("", "standard") == "" and labels.label(None, "audit") == ""
    assert labels.choices(["IEC_62196_T2", "X_Y"], "standard") == [("IEC_62196_T2", "Type 2"), ("X_Y", "X y")]


def test_a_backend_name_without_its_company() -> None:
    assert labels.name_without("be.ENERGISED · Voltaro Fleet", "Voltaro Fleet") == "be.ENERGISED"
    assert labels.name_without("GreenFlux Benelux", "Voltaro Fleet") == "GreenFlux Benelux"
    assert labels.name_without("Voltaro Fleet", "Voltaro Fleet") == "Voltaro Fleet"
