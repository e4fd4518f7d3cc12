"""The dbt project as Dagster sees it (dagster-dbt's DbtProject): target `build` of profiles.yml.

`dagster dev` prepares it (dbt parse) on start; `juesuan build` prepares it when the manifest is
missing or older than the dbt sources (prepare_if_stale), so a fresh clone needs no committed target/.
"""
from __future__ import annotations

import fcntl
import shutil
import sys
from functools import cached_property
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject
from dagster_dbt.compat import DBT_PYTHON_VERSION

from juesuan.paths import DBT_PROJECT_DIR, PROJECT_ROOT

# What the manifest is parsed from: a manifest older than any of these is parsed again.
_DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests")
_SEED_FOLDERS = (PROJECT_ROOT / "seeds" / "vocabulary", PROJECT_ROOT / "seeds" / "raw")

juesuan_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR, target="build")
juesuan_dbt_project.prepare_if_dev()


def dbt_executable() -> str:
    """The dbt beside this Python (a venv that is not activated has no dbt on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


class JuesuanDbtCliResource(DbtCliResource):
    """dagster-dbt's resource less two costs paid before every dbt command and used by nothing here
    (measured together at 6.8 s of each build, 7.6 s of the shared documents' 41 s): `dbt --version`
    in a subprocess, when the dbt run is the dbt-core beside this Python; and a dbt adapter handle,
    which only serves column metadata and row counts, which no asset fetches."""

    @cached_property
    def _cli_version(self):
        if DBT_PYTHON_VERSION is not None and Path(self.dbt_executable).parent == Path(sys.executable).parent:
            return DBT_PYTHON_VERSION
        return super()._cli_version

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource(project: DbtProject = juesuan_dbt_project) -> DbtCliResource:
    return JuesuanDbtCliResource(project_dir=project, dbt_executable=dbt_executable())


def _sources_mtime() -> float:
    newest = 0.0
    roots = [DBT_PROJECT_DIR / name for name in _DBT_SOURCES] + list(_SEED_FOLDERS)
    for root in roots:
        paths = [root] if root.is_file() else root.rglob("*") if root.is_dir() else []
        for path in paths:
            newest = max(newest, path.stat().st_mtime)
    return newest


def prepare_if_stale(project: DbtProject = juesuan_dbt_project) -> Path:
    """dbt parse when the manifest is missing or older than the project (one process at a time)."""
    manifest = project.manifest_path
    if manifest.exists() and manifest.stat().st_mtime >= _sources_mtime():
        return manifest
    manifest.parent.mkdir(parents=True, exist_ok=True)
    with open(manifest.parent / ".prepare.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not manifest.exists() or manifest.stat().st_mtime < _sources_mtime():
            dbt_resource(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
    return manifest


prepare_if_stale()
