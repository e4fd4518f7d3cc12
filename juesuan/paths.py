"""Where the project's own files are. Where a build reads and writes is configuration
(the CLI's flags, the Dagster resource), never read from the environment behind its back."""
from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
VOCABULARY_DIR = PROJECT_ROOT / "seeds" / "vocabulary"
SAMPLE_RAW_DIR = PROJECT_ROOT / "seeds" / "raw"
DEFAULT_INBOX = PROJECT_ROOT / "documents"
DEFAULT_WAREHOUSE = PROJECT_ROOT / "warehouse" / "juesuan.duckdb"
