"""Where the pipeline reads and writes; defaults from juesuan.paths (env JUESUAN_*)."""
from __future__ import annotations

import os
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from juesuan.paths import default_inbox, default_seeds_dir, default_warehouse


def _inbox_default() -> list[str]:
    return [str(default_inbox())]


class JuesuanPaths(ConfigurableResource):
    """The inbox folders, the raw tables (dbt seeds), the published DuckDB warehouse, and the
    per-document extraction store (default: <warehouse dir>/.extracted, or JUESUAN_EXTRACTED_DIR)."""

    inbox: list[str] = Field(default_factory=_inbox_default)
    warehouse: str = Field(default_factory=lambda: str(default_warehouse()))
    seeds_dir: str = Field(default_factory=lambda: str(default_seeds_dir()))
    extracted_dir: str = Field(default_factory=lambda: os.environ.get("JUESUAN_EXTRACTED_DIR", ""))

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse).resolve()

    @property
    def seeds_path(self) -> Path:
        return Path(self.seeds_dir).resolve()

    @property
    def extracted_path(self) -> Path:
        if self.extracted_dir:
            return Path(self.extracted_dir).resolve()
        return self.warehouse_path.parent / ".extracted"

    @property
    def inbox_paths(self) -> list[Path]:
        return [Path(p) for p in self.inbox]
