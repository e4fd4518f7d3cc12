"""`make docs`: dbt docs as one static file with the star-schema overview, and an offline index of
the Great Expectations suites whose links lead to pages that exist."""
from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote

from juesuan.cli import main as cli
from juesuan.validation import FAMILIES


def test_docs_open_offline(published_warehouse, tmp_path):
    out = tmp_path / "docs"
    assert cli(["docs", "--warehouse", str(published_warehouse), "--out", str(out)]) == 0
    dbt = (out / "dbt.html").read_text(encoding="utf-8")
    # one file: the manifest and catalog are inlined, the overview is ours, descriptions are there
    # (as JSON, so Chinese is escaped)
    assert json.dumps("The star schema / 星型模型")[1:-1] in dbt
    assert '"doc.juesuan.__overview__"' in dbt
    assert json.dumps("可疑单元格 / For documents with failed identities")[1:-1] in dbt

    quality = (out / "quality.html").read_text(encoding="utf-8")
    suites = [f"identities_{family}" for family in FAMILIES] + ["fact_marts_gate"]
    assert all(suite in quality for suite in suites)
    links = [unquote(link) for link in re.findall(r"href='([^']+)'", quality)]
    assert len(links) >= len(suites)
    assert all((out / link).resolve().is_file() for link in links), links
    assert "通过 passed" in quality
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="dbt.html"' in index and 'href="quality.html"' in index
