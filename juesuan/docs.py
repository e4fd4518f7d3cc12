"""`make docs`: the project's documentation as files that open offline.

- build/docs/dbt.html: dbt docs as one static file (`dbt docs generate --static`), whose overview
  page (dbt_project/models/overview.md) describes the star schema;
- build/docs/quality.html: our own index of the Great Expectations suites and their latest
  validation results, linking to the pages GX writes (GX's own index fills its table with
  JavaScript from a CDN, so offline it shows nothing);
- build/docs/index.html: where each lives.
"""
from __future__ import annotations

import html
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from .paths import DBT_PROJECT_DIR, PROJECT_ROOT
from .validation import GX_ROOT, build_data_docs

DOCS_DIR = PROJECT_ROOT / "build" / "docs"


def dbt_docs(warehouse: Path, out: Path) -> Path:
    """dbt's docs as one self-contained HTML file, its catalog read from a copy of the warehouse
    (dbt opens its database for writing; the published file is never touched)."""
    with tempfile.TemporaryDirectory(prefix="juesuan-docs-") as scratch:
        copy = Path(scratch) / "juesuan.duckdb"
        shutil.copyfile(warehouse, copy)
        target = Path(scratch) / "target"
        dbt = Path(sys.executable).with_name("dbt")
        done = subprocess.run(
            [str(dbt) if dbt.exists() else "dbt", "docs", "generate", "--static", "--target", "build",
             "--vars", json.dumps({"build_file": str(copy)}), "--target-path", str(target)],
            cwd=DBT_PROJECT_DIR, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError("dbt docs generate failed:\n" + done.stdout[-3000:])
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(target / "static_index.html", out)
    return out


def _suites(root: Path) -> list[dict]:
    suites = []
    for path in sorted((root / "expectations").glob("*.json")):
        suite = json.loads(path.read_text(encoding="utf-8"))
        suites.append({"name": suite["name"],
                       "expectations": [e.get("description") or e.get("type") for e in suite.get("expectations", [])]})
    return suites


def _latest_results(root: Path) -> dict[str, dict]:
    """suite -> its latest validation result (success, statistics, time, GX's page for it)."""
    latest: dict[str, dict] = {}
    for path in (root / "uncommitted" / "validations").glob("*/*/*/*.json"):
        result = json.loads(path.read_text(encoding="utf-8"))
        suite, run = result["suite_name"], result["meta"]["run_id"]["run_time"]
        if suite in latest and latest[suite]["time"] >= run:
            continue
        page = (root / "uncommitted" / "data_docs" / "local_site" / "validations"
                / path.relative_to(root / "uncommitted" / "validations")).with_suffix(".html")
        latest[suite] = {"success": result["success"], "time": run, "statistics": result["statistics"],
                         "page": page}
    return latest


def quality_index(out: Path, root: Path = GX_ROOT) -> Path:
    """An offline index of the GX suites and their latest validations, linking to GX's pages."""
    local_site = root / "uncommitted" / "data_docs" / "local_site"
    results = _latest_results(root)
    rows = []
    for suite in _suites(root):
        result = results.get(suite["name"])
        suite_page = local_site / "expectations" / f"{suite['name']}.html"
        status = ("—" if result is None else
                  f"<b class='{'ok' if result['success'] else 'bad'}'>{'通过 passed' if result['success'] else '未通过 failed'}</b>"
                  f" {result['statistics']['successful_expectations']}/{result['statistics']['evaluated_expectations']}"
                  f"<br><small>{html.escape(result['time'])}</small>")
        if result is not None and result["page"].exists():
            status += f" · <a href='{_relative(result['page'], out)}'>结果 result</a>"
        name = html.escape(suite["name"])
        title = f"<a href='{_relative(suite_page, out)}'>{name}</a>" if suite_page.exists() else name
        expectations = "".join(f"<li>{html.escape(str(e))}</li>" for e in suite["expectations"])
        rows.append(f"<tr><td>{title}</td><td><ul>{expectations}</ul></td><td>{status}</td></tr>")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(_page("数据质量 Data quality (Great Expectations)", f"""
<p>每个平衡关系类别一个套件, 外加事实表闸门。每次构建在发布前运行它们。
<small>One suite per identity family plus the fact-marts gate; every build runs them before it publishes.</small></p>
<table><tr><th>套件 suite</th><th>期望 expectations</th><th>最近一次验证 latest validation</th></tr>
{''.join(rows)}</table>"""), encoding="utf-8")
    return out


def _relative(target: Path, page: Path) -> str:
    return Path(os.path.relpath(target.resolve(), page.parent.resolve())).as_posix()


def _page(title: str, body: str) -> str:
    return f"""<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;margin:24px;color:#1f2933}} table{{border-collapse:collapse}}
td,th{{border:1px solid #d9dee5;padding:4px 8px;vertical-align:top;text-align:left;font-size:13px}}
th{{background:#eef1f5}} .ok{{color:#1b7f3b}} .bad{{color:#b42318}} small{{color:#6b7785}}</style></head>
<body><h1>{html.escape(title)}</h1>{body}</body></html>"""


def build_docs(warehouse: Path, out_dir: Path = DOCS_DIR) -> dict[str, Path]:
    build_data_docs()
    pages = {"dbt": dbt_docs(warehouse, out_dir / "dbt.html"), "quality": quality_index(out_dir / "quality.html")}
    index = out_dir / "index.html"
    index.write_text(_page("juesuan 文档 Documentation", """
<ul>
<li><a href="dbt.html">数据仓库模型 The warehouse (dbt docs)</a>: 星型模型总览、每个模型和字段的中英文说明、血缘图。
<small>Star schema overview, every model and column described, lineage.</small></li>
<li><a href="quality.html">数据质量 Data quality (Great Expectations)</a>: 平衡关系套件与最近一次验证结果。
<small>Identity suites and their latest validation results.</small></li>
<li><a href="../../report/build/index.html">分析报告 The report</a> (<code>make report</code>).</li>
</ul>"""), encoding="utf-8")
    pages["index"] = index
    return pages
