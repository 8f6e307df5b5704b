"""The data finflow publishes, as Airflow Assets (one URI per output, shared by every DAG).

Each producing task sets the asset event's `extra` to a small summary of the run (see
`docs/operations.md`, "Reading the asset metadata"); consumers schedule on these assets.
"""

from __future__ import annotations

from airflow.sdk import Asset

LAKE_TRANSACTIONS = Asset("finflow://lake/transactions", group="finflow")
QUARANTINE = Asset("finflow://lake/quarantine", group="finflow")
VALIDATION = Asset("finflow://results/validation", group="finflow")
ALERTS = Asset("finflow://results/alerts", group="finflow")
CASES = Asset("finflow://results/cases", group="finflow")
CASE_PACKS = Asset("finflow://results/casepacks", group="finflow")
STORE = Asset("finflow://store/runs", group="finflow")

# The shared lake built by finflow_ingest, one partition per feed file: an event per file
# ingested (from the mapped task) and an event per ingest run (from its close_run task, once
# every file of the run is in). finflow_detect is scheduled on LAKE_INGESTS.
LAKE_FILES = Asset("finflow://lake/files", group="finflow")
LAKE_INGESTS = Asset("finflow://lake/ingests", group="finflow")

ALL = (
    LAKE_TRANSACTIONS,
    QUARANTINE,
    VALIDATION,
    ALERTS,
    CASES,
    CASE_PACKS,
    STORE,
    LAKE_FILES,
    LAKE_INGESTS,
)
