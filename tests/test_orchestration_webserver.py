"""`dagster dev` (no flags: pyproject [tool.dagster]) serves the full asset graph on loopback."""
from pathlib import Path

from juesuan_testkit.dagster_dev import dagster_dev

REPO = Path(__file__).resolve().parents[1]


def test_dagster_dev_serves_every_asset(tmp_path):
    from orchestration.definitions import defs

    expected = {tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()}
    (tmp_path / "inbox").mkdir()
    with dagster_dev(tmp_path, tmp_path / "inbox", tmp_path / "warehouse" / "juesuan.duckdb") as server:
        answer = server.graphql("{ assetNodes { assetKey { path } } }")
        found = {tuple(node["assetKey"]["path"]) for node in answer["data"]["assetNodes"]}
        assert found == expected
        assert {("landing_zone",), ("raw_tables",), ("raw", "raw_cells"), ("marts", "all_amounts"),
                ("validation",), ("published_warehouse",)} <= found
        checks = server.graphql('{ assetNodes(assetKeys: [{path: ["marts", "dim_document"]}]) '
                                "{ assetChecksOrError { ... on AssetChecks { checks { name } } } } }")
        names = [c["name"] for c in checks["data"]["assetNodes"][0]["assetChecksOrError"]["checks"]]
        assert any(name.startswith("unique_dim_document") for name in names)
    assert not any(p.name.startswith(".tmp_dagster_home") for p in REPO.iterdir())
