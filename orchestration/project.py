"""The dbt project as Dagster sees it: one handle, a manifest made on demand, and safe seed paths.

The manifest is produced at load time when it is missing or older than the dbt sources
(`dbt parse`, no network), so the code location loads in a fresh clone with no committed target/.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from dagster_dbt import DbtCliResource, DbtProject

from juesuan.paths import DBT_PROJECT_DIR

# Where the dbt sources live; a manifest older than any of them is parsed again.
_DBT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "tests")
SEED_LINKS_DIR = DBT_PROJECT_DIR / ".seed_links"


def dbt_executable() -> str:
    """The dbt next to this Python (a venv that is not activated has no dbt on PATH)."""
    beside = Path(sys.executable).parent / "dbt"
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_target_path() -> Path:
    return Path(os.environ.get("JUESUAN_DBT_TARGET", "target"))


juesuan_dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR,
                                 target_path=dbt_target_path())


def dbt_cli(project: DbtProject = juesuan_dbt_project) -> DbtCliResource:
    return DbtCliResource(project_dir=project, dbt_executable=dbt_executable())


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in _DBT_SOURCES:
        root = DBT_PROJECT_DIR / name
        if root.is_file():
            newest = max(newest, root.stat().st_mtime)
        elif root.is_dir():
            for path in root.rglob("*"):
                if path.is_file():
                    newest = max(newest, path.stat().st_mtime)
    return newest


def ensure_manifest(project: DbtProject = juesuan_dbt_project) -> Path:
    """Run `dbt parse` when the manifest is missing or stale; return its path."""
    manifest = project.manifest_path
    if not manifest.exists() or manifest.stat().st_mtime < _newest_source_mtime():
        previous = os.environ.get("DBT_SEND_ANONYMOUS_USAGE_STATS")
        os.environ["DBT_SEND_ANONYMOUS_USAGE_STATS"] = "false"
        try:
            dbt_cli(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
        finally:
            if previous is None:
                os.environ.pop("DBT_SEND_ANONYMOUS_USAGE_STATS", None)
    return manifest


def dbt_seed_path(seeds_dir: Path) -> str:
    """The seed path to hand dbt for `seeds_dir`, always relative to the dbt project.

    dbt writes the SQL it ran for a seed to target/run/<project>/<seed file path>; when the
    seed path is absolute, os.path.join drops the target prefix and dbt overwrites the seed
    CSV itself with that SQL (dbt-core 1.11, contracts/graph/nodes.py get_target_write_path).
    A relative path that climbs out of the project ('../../tmp/x') would scatter those files
    outside target/. So the seeds are reached through a symlink inside the project
    (dbt_project/.seed_links/<hash>, ignored by git) and dbt's copies land under target/.
    """
    seeds_dir = Path(seeds_dir).resolve()
    if seeds_dir == (DBT_PROJECT_DIR.parent / "seeds").resolve():
        return "../seeds"  # the default in dbt_project.yml: run copies go to target/run/seeds
    name = hashlib.sha1(str(seeds_dir).encode()).hexdigest()[:16]
    link = SEED_LINKS_DIR / name
    SEED_LINKS_DIR.mkdir(exist_ok=True)
    for stale in SEED_LINKS_DIR.iterdir():  # links to seed folders that are gone (test temp dirs)
        if stale.is_symlink() and not stale.exists():
            stale.unlink(missing_ok=True)
    if not (link.is_symlink() and Path(os.readlink(link)) == seeds_dir):
        temporary = SEED_LINKS_DIR / f".{name}.{os.getpid()}"
        temporary.unlink(missing_ok=True)
        temporary.symlink_to(seeds_dir, target_is_directory=True)
        os.replace(temporary, link)
    return f"{SEED_LINKS_DIR.name}/{name}"
