"""Where a build reads and writes, as one configured resource; and the writer's lock."""

import os
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource, InitResourceContext
from pydantic import Field

from juesuan.landing import SEED_SIZE_LIMIT, LandingZone, landing_dir_for, raw_cells_bytes
from juesuan.paths import PROJECT_ROOT
from juesuan.writer_lock import WriterLock, lock_path_for


SERIAL_MODELS_BYTES = 256 << 20  # bytes of raw cells (about 2,500 documents of the seed document's size)
PROGRESS_MARK = "\x1ejuesuan\x1e "  # marks our progress lines among what a run prints


class JuesuanPaths(ConfigurableResource):
    """The inbox folders and the published DuckDB warehouse. The warehouse's landing zone
    (`<warehouse>.landing`) and its build file live beside it: two warehouses share nothing."""

    inbox: list[str] = Field(default_factory=lambda: [str(PROJECT_ROOT / "documents")],
                             description="Inbox folders or files (PDF or extracted text).")
    warehouse: str = Field(default=str(PROJECT_ROOT / "warehouse" / "juesuan.duckdb"),
                           description="The published DuckDB file.")
    processes: int = Field(default=0, description="Reader processes (0: one per core).")
    memory_limit: str = Field(default="3GB", description="DuckDB memory limit of the dbt build.")
    echo: bool = Field(default=False, description="Print progress lines on stdout (the CLI sets it).")
    seed_limit_bytes: int = Field(default=SEED_SIZE_LIMIT,
                                  description="Raw cells up to this size are loaded as dbt seeds; past it DuckDB "
                                              "reads the landing zone's files directly.")

    serial_models_bytes: int = Field(default=SERIAL_MODELS_BYTES,
                                     description="Past this size of raw cells dbt builds one model at a time, so "
                                                 "each has DuckDB's whole memory limit.")

    def reads_directly(self) -> bool:
        return raw_cells_bytes(self.landing) > self.seed_limit_bytes

    def dbt_threads(self) -> int:
        """Two models at once share DuckDB's memory limit: measured, 10,000 generated documents (1.1 GB of
        raw cells) ran out of 3 GB in two identity models built side by side, and passed one at a time."""
        return 1 if raw_cells_bytes(self.landing) > self.serial_models_bytes else 2

    @classmethod
    def from_environment(cls) -> "JuesuanPaths":
        """The code location's configuration (`dagster dev`): JUESUAN_INBOX (folders separated by
        the path separator) and JUESUAN_WAREHOUSE, else the repository's documents/ and warehouse/."""
        settings = {}
        if os.environ.get("JUESUAN_INBOX"):
            settings["inbox"] = os.environ["JUESUAN_INBOX"].split(os.pathsep)
        if os.environ.get("JUESUAN_WAREHOUSE"):
            settings["warehouse"] = os.environ["JUESUAN_WAREHOUSE"]
        return cls(**settings)

    @property
    def warehouse_path(self) -> Path:
        return Path(self.warehouse).resolve()

    @property
    def landing(self) -> LandingZone:
        return LandingZone(landing_dir_for(self.warehouse_path))

    @property
    def building_path(self) -> Path:
        """The next warehouse, built beside the published one and renamed over it."""
        return self.warehouse_path.with_name(f".{self.warehouse_path.name}.building")

    @property
    def inbox_paths(self) -> list[Path]:
        return [Path(p) for p in self.inbox]

    @property
    def report_dir(self) -> Path:
        return self.warehouse_path.parent / "report"

    @property
    def own_files(self) -> list[Path]:
        """What the build writes beside the warehouse: never read as documents, should the inbox hold it."""
        warehouse = self.warehouse_path
        return [warehouse, warehouse.with_name(warehouse.name + ".wal"), lock_path_for(warehouse),
                self.landing.root, self.report_dir]

    def say(self, context, line: str) -> None:
        context.log.info(line)
        if self.echo:
            print(PROGRESS_MARK + line, flush=True)


class WarehouseWriter(ConfigurableResource):
    """Held for a whole run: one writer per warehouse, whoever runs the build. A second run
    waits (saying whom for), or fails at once with wait=False."""

    paths: JuesuanPaths
    wait: bool = True

    @contextmanager
    def yield_for_execution(self, context: InitResourceContext):
        lock = WriterLock(self.paths.warehouse_path)

        def tell(line: str) -> None:  # whom the run waits for, in the run's log and on the CLI
            if context.log:
                context.log.info(line)
            if self.paths.echo:
                print(PROGRESS_MARK + line, flush=True)

        lock.acquire(wait=self.wait, report=tell)
        try:
            yield self
        finally:
            lock.release()
