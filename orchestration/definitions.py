"""The Dagster code location (pyproject [tool.dagster] module_name): `dagster dev` loads this,
and `juesuan build`, the tests and the benchmarks materialise the same graph (orchestration.run)."""
from __future__ import annotations

from dagster import Definitions

from .assets import identity_checks, landing_zone, published_warehouse, raw_tables, validation, warehouse_dbt
from .jobs import build_job, daily_rebuild, inbox_sensor
from .project import dbt_resource
from .report import analyst_report
from .resources import JuesuanPaths, WarehouseWriter

ASSETS = [landing_zone, raw_tables, warehouse_dbt, validation, published_warehouse, analyst_report]
CHECKS = [identity_checks]


def resources(paths: JuesuanPaths | None = None, wait: bool = True) -> dict:
    paths = paths or JuesuanPaths()
    return {"juesuan": paths, "writer": WarehouseWriter(paths=paths, wait=wait),
            "dbt": dbt_resource()}


def definitions_for(paths: JuesuanPaths | None = None, wait: bool = True) -> Definitions:
    return Definitions(assets=ASSETS, asset_checks=CHECKS, jobs=[build_job], sensors=[inbox_sensor],
                       schedules=[daily_rebuild], resources=resources(paths, wait))


# configured once, here, from the environment the code location is started in
defs = definitions_for(JuesuanPaths.from_environment())
