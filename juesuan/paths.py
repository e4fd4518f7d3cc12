"""Where things live by default; every path can be overridden from the CLI or env."""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"


def default_seeds_dir() -> Path:
    """Raw tables and vocabulary. Not read by dbt itself (its seed path is fixed, relative)."""
    return Path(os.environ.get("JUESUAN_SEEDS_DIR", PROJECT_ROOT / "seeds"))


def default_warehouse() -> Path:
    return Path(os.environ.get("JUESUAN_WAREHOUSE", PROJECT_ROOT / "warehouse" / "juesuan.duckdb"))


def default_inbox() -> Path:
    return Path(os.environ.get("JUESUAN_INBOX", PROJECT_ROOT / "documents"))
