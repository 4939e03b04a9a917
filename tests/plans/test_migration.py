"""The data migration from StreamField actions and KPIs to records loses nothing, and can be undone."""

import json
import subprocess
import sys
from pathlib import Path

from tests.plans.migration_check import LEGACY_ACTIONS

ROOT = Path(__file__).resolve().parents[2]


def test_every_action_and_kpi_becomes_a_record_and_the_reverse_restores_them(tmp_path):
    finished = subprocess.run(
        [sys.executable, "-m", "tests.plans.migration_check", str(tmp_path / "migration.sqlite3")],
        cwd=ROOT, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert finished.returncode == 0, finished.stderr[-4000:]
    result = json.loads(finished.stdout.strip().splitlines()[-1])
    first, second = result["actions"]

    assert [first["identifier"], second["identifier"]] == ["1", "2"]
    assert first["title"] == "Open a proximity office" and first["description"].startswith("A shop front")
    assert first["status"] == "completed" and second["status"] == "delayed"
    assert first["dates"] == ["2024-09-01", "2025-03-31", "2024-11-04", "2025-04-30"]
    assert first["budget"] == "380000.00" and first["lesson_ids"] == [result["lesson_id"]]

    # Every KPI is an indicator; two KPIs with one name get distinct identifiers.
    assert result["indicator_count"] == 3
    advised, advised_again = first["indicators"]
    assert (advised["identifier"], advised_again["identifier"]) == ("households-advised", "households-advised-2")
    assert advised["baseline"] == ["2025-03-27", "0.0000"]  # dated at the plan's adoption
    assert advised["goals"] == [["2025-03-31", "400.0000"]]  # by the action's planned end
    assert advised["values"] == [["2025-06-01", "462.0000"]]  # the current value, dated at the last publication
    assert advised_again["baseline"] == ["None", "None"] and advised_again["values"] == []
    (heat,) = second["indicators"]
    assert heat["direction"] == "decrease" and heat["goals"] == [["None", "90.0000"]]

    assert "actions" not in result["revision_keys"] and "legacy_actions" in result["revision_keys"]

    # Back again: the same actions and KPIs in the StreamField, and no record left to double up.
    assert result["records_after_reverse"] == 0
    restored = result["restored"]
    assert [action["title"] for action in restored] == [block["value"]["title"] for block in LEGACY_ACTIONS]
    assert [kpi["name"] for kpi in restored[0]["kpis"]] == ["Households advised", "Households advised"]
    assert restored[0]["kpis"][0]["current"] == "462.0000" and restored[1]["kpis"][0]["target"] == "90.0000"
    assert restored[0]["lessons"] == [result["lesson_id"]]
