"""The Dagster code location (pyproject [tool.dagster] module_name): `dagster dev` loads this."""
from __future__ import annotations

from dagster import Definitions

from .assets import (extracted_document, identity_checks, published_warehouse, raw_tables, source_document,
                     validation, warehouse_dbt)
from .jobs import daily_rebuild, document_job, extract_job, inbox_sensor, warehouse_job
from .project import dbt_cli
from .report import analyst_report
from .resources import JuesuanPaths

ASSETS = [source_document, extracted_document, raw_tables, warehouse_dbt, validation, published_warehouse,
          analyst_report]
CHECKS = [identity_checks]


def resources(paths: JuesuanPaths | None = None) -> dict:
    return {"juesuan": paths or JuesuanPaths(), "dbt": dbt_cli()}


defs = Definitions(
    assets=ASSETS,
    asset_checks=CHECKS,
    jobs=[document_job, extract_job, warehouse_job],
    sensors=[inbox_sensor],
    schedules=[daily_rebuild],
    resources=resources(),
)
