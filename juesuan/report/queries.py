"""The report's questions to the warehouse. Amounts stay DECIMAL (Python Decimal) end to end.

Blank versus zero: a cell a document leaves blank has no fact row. Every per-document figure is
therefore read from dim_document LEFT JOIN the fact, so a department whose cells are blank is
shown (as 未印, not printed) rather than silently dropped, and a printed 0.00 stays 0.00.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, *params) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row)) for row in cursor.fetchall()]


def mart_tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {name for (name,) in con.execute(
        "select table_name from information_schema.tables where table_schema = 'marts'").fetchall()}


def _phase_column(con: duckdb.DuckDBPyConnection) -> str:
    """The document's phase (决算 final / 预算 budget) once dim_document carries it; final until then."""
    columns = {name for (name,) in con.execute(
        "select column_name from information_schema.columns where table_schema = 'marts' "
        "and table_name = 'dim_document'").fetchall()}
    return "phase" if "phase" in columns else "'final'"


def corpus(con: duckdb.DuckDBPyConnection) -> dict:
    phase = _phase_column(con)
    documents = _dicts(con, f"""
        select document_key, department_name, fiscal_year, {phase} as phase, status, source_file, reader,
               printed_unit, statements_found, amount_cells, identities_passed, identities_failed,
               identities_not_applicable, acceptance_reason, accepted_on
        from marts.dim_document order by fiscal_year desc, department_name""")
    by_status = _dicts(con, f"""
        select {phase} as phase, fiscal_year, status, count(*) as documents
        from marts.dim_document group by all order by phase, fiscal_year desc, status""")
    held_back = _dicts(con, """
        select d.document_key, d.department_name, d.fiscal_year, d.identities_failed,
               (select string_agg(identity, '; ' order by identity) from (
                    select identity from marts.identity_results r
                    where r.document_key = d.document_key and r.status = 'failed' order by identity limit 3))
                   as failed_identities,
               (select string_agg(s.statement || ' ' || s.row_key || ' ' || s.measure, '; ' order by s.statement)
                from marts.suspect_cells s where s.document_key = d.document_key and s.suspect_rank = 1)
                   as suspects
        from marts.dim_document d where d.status = 'quarantined' order by all""")
    return {"documents": documents, "by_status": by_status, "held_back": held_back}


def document_details(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Every document's tables, identity counts, failed identities and suspect cells, by document key.

    One query per kind over the whole warehouse (not four per document): a corpus of thousands of
    documents is read in a few scans.
    """
    details: dict[str, dict] = defaultdict(lambda: {"tables": [], "identities": [], "failed": [], "suspects": []})
    queries = {
        "tables": """
            with found as (
                select document_key, unnest(string_split(statements_found, ' ')) as statement
                from marts.dim_document
            ),
            names as (
                select statement, min(statement_name) as statement_name
                from staging.stg_vocabulary__statement_titles group by statement
            ),
            facts as (
                select document_key, statement, count(*) as amounts from marts.all_amounts group by all
            )
            select found.document_key, found.statement, names.statement_name, facts.amounts
            from found left join names using (statement) left join facts using (document_key, statement)
            where found.statement <> '' order by found.document_key, found.statement""",
        "identities": """
            select document_key, family, status, count(*) as identities from marts.identity_results
            group by all order by document_key, family, status""",
        "failed": """
            select document_key, identity, left_value, right_value, difference, tolerance
            from marts.identity_results where status = 'failed'
            order by document_key, abs(difference) desc, identity""",
        "suspects": """
            select document_key, suspect_rank, statement, row_key, measure, printed_amount, balancing_amount,
                   identities_fixed, identities_broken, source_line, page
            from marts.suspect_cells order by document_key, suspect_rank, statement, row_key, measure""",
    }
    for kind, sql in queries.items():
        for row in _dicts(con, sql):
            details[row.pop("document_key")][kind].append(row)
    return details


def money(con: duckdb.DuckDBPyConnection) -> dict:
    columns = _dicts(con, """
        select document_key, department_name, fiscal_year, department_name || ' ' || fiscal_year as label
        from marts.dim_document where status in ('published', 'accepted')
        order by department_name, fiscal_year""")
    class_rows = _class_rows(con)
    economic = _dicts(con, """
        select d.document_key, d.department_name || ' ' || d.fiscal_year as label,
               personnel.amount as personnel, public.amount as public
        from marts.dim_document d
        left join marts.fct_economic_amounts personnel
            on personnel.document_key = d.document_key and personnel.row_key = '人员经费合计'
        left join marts.fct_economic_amounts public
            on public.document_key = d.document_key and public.row_key = '公用经费合计'
        where d.status in ('published', 'accepted')
        order by d.department_name, d.fiscal_year""")
    three_public_items = _dicts(con, """
        select regexp_replace(measure, '^final_', '') as item,
               regexp_replace(measure_name, '^决算数', '') as item_name
        from marts.dim_measure where statement = 'T9' and measure like 'final_%' order by measure""")
    three_public = _dicts(con, """
        select d.document_key, d.department_name || ' ' || d.fiscal_year as label, t.item, t.amount
        from marts.dim_document d
        left join marts.fct_three_public_expenses t on t.document_key = d.document_key and t.basis = '决算数'
        where d.status in ('published', 'accepted')""")
    three_by_document: dict[str, dict] = defaultdict(dict)
    for row in three_public:
        if row["item"] is not None:
            three_by_document[row["document_key"]][row["item"]] = row["amount"]
    return {"class_columns": columns, "class_rows": class_rows, "economic": economic,
            "three_public_items": three_public_items,
            "three_public": [{**c, "amounts": three_by_document.get(c["document_key"], {})} for c in columns]}


def _class_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """T3 本年支出合计 by 类, one row per class with the amount of each published document."""
    cells = _dicts(con, """
        select s.functional_code as class_code, s.subject_name as class_name, f.document_key, f.amount
        from marts.fct_functional_amounts f
        join marts.dim_functional_subject s using (functional_code)
        where f.statement = 'T3' and f.measure = 'total_expenditure' and s.subject_level = '类'
        order by s.functional_code""")
    rows: dict[str, dict] = {}
    for cell in cells:
        row = rows.setdefault(cell["class_code"], {"class_code": cell["class_code"], "class_name": cell["class_name"],
                                                  "amounts": {}, "total": Decimal("0")})
        row["amounts"][cell["document_key"]] = cell["amount"]
        row["total"] += cell["amount"]
    return list(rows.values())
