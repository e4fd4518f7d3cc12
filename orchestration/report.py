"""The analysts' report as an asset downstream of the publish: rebuilt from each published warehouse."""

from dagster import AssetExecutionContext, MaterializeResult, MetadataValue, asset

from juesuan.report import build_report

from .assets import published_warehouse
from .resources import JuesuanPaths


@asset(group_name="publish", deps=[published_warehouse], kinds={"html"},
       description="The analysts' report (static site: corpus, one page per document, where the money goes, "
                   "budget against final, narrative facts), "
                   "kept beside the published warehouse in report/: a build rewrites only the pages that changed.")
def analyst_report(context: AssetExecutionContext, juesuan: JuesuanPaths) -> MaterializeResult:
    out = juesuan.report_dir
    try:
        report = build_report(juesuan.warehouse_path, out, juesuan.inbox_paths)
    except Exception as error:  # noqa: BLE001 - the warehouse is published already; a report error must not undo that
        context.log.error(f"the report was not built: {error!r}")
        return MaterializeResult(metadata={"error": repr(error)[:500]})
    return MaterializeResult(metadata={"index": MetadataValue.path(str(out / "index.html")), "pages": len(report.pages),
                                       "written": len(report.written), "removed": len(report.removed)})
