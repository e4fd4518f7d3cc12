"""The report's questions to the warehouse. Amounts stay DECIMAL (Python Decimal) end to end.

Blank versus zero: a cell a document leaves blank has no fact row. Every per-document figure is
therefore read from dim_document LEFT JOIN the fact, so a department whose cells are blank is
shown (as 未印, not printed) rather than silently dropped, and a printed 0.00 stays 0.00.
"""
from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import duckdb


class Row(dict):
    """A row as a dict whose columns also read as attributes. Jinja reads `row.column` by trying
    the attribute and, on the AttributeError, the item: on a plain dict that exception is raised
    and caught in Python for every cell of every page (a sixth of the rendering at 10,000
    documents); here the attribute is found. Same values, same repr as a dict."""
    __slots__ = ()

    def __getattr__(self, name: str):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def _dicts(con: duckdb.DuckDBPyConnection, sql: str, *params) -> list[dict]:
    cursor = con.execute(sql, list(params))
    names = [d[0] for d in cursor.description]
    return [Row(zip(names, row)) for row in cursor.fetchall()]


def corpus(con: duckdb.DuckDBPyConnection) -> dict:
    documents = _dicts(con, """
        select document_key, department_name, fiscal_year, phase, status, source_file, reader,
               printed_unit, statements_found, amount_cells, identities_passed, identities_failed,
               identities_not_applicable, acceptance_reason, accepted_on
        from marts.dim_document order by fiscal_year desc, department_name""")
    by_status = _dicts(con, """
        select phase, fiscal_year, status, count(*) as documents
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
        from marts.dim_document where status in ('published', 'accepted') and phase = 'final'
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
        where d.status in ('published', 'accepted') and d.phase = 'final'
        order by d.department_name, d.fiscal_year""")
    three_public_items = _dicts(con, """
        select regexp_replace(measure, '^final_', '') as item,
               regexp_replace(measure_name, '^决算数', '') as item_name
        from marts.dim_measure where statement = 'T9' and measure like 'final_%' order by measure""")
    three_public = _dicts(con, """
        select d.document_key, d.department_name || ' ' || d.fiscal_year as label, t.item, t.amount
        from marts.dim_document d
        left join marts.fct_three_public_expenses t on t.document_key = d.document_key and t.basis = '决算数'
        where d.status in ('published', 'accepted') and d.phase = 'final'""")
    three_by_document: dict[str, dict] = defaultdict(dict)
    for row in three_public:
        if row["item"] is not None:
            three_by_document[row["document_key"]][row["item"]] = row["amount"]
    return {"class_columns": columns, "class_rows": class_rows, "economic": economic,
            "three_public_items": three_public_items,
            "three_public": [{**c, "amounts": three_by_document.get(c["document_key"], {})} for c in columns]}


def _class_rows(con: duckdb.DuckDBPyConnection) -> list[dict]:
    """T3 本年支出合计 by 类, one row per class with the amount of each published final (a budget's
    T3 is planned, not spent: the budget page shows it)."""
    cells = _dicts(con, """
        select s.functional_code as class_code, s.subject_name as class_name, f.document_key, f.amount
        from marts.fct_functional_amounts f
        join marts.dim_functional_subject s using (functional_code)
        join marts.dim_document d on d.document_key = f.document_key and d.phase = 'final'
        where f.statement = 'T3' and f.measure = 'total_expenditure' and s.subject_level = '类'
        order by s.functional_code""")
    rows: dict[str, dict] = {}
    for cell in cells:
        row = rows.setdefault(cell["class_code"], {"class_code": cell["class_code"], "class_name": cell["class_name"],
                                                  "amounts": {}, "total": Decimal("0")})
        row["amounts"][cell["document_key"]] = cell["amount"]
        row["total"] += cell["amount"]
    return list(rows.values())


def budget_against_final(con: duckdb.DuckDBPyConnection) -> dict:
    """marts.budget_vs_final by department-year: every row with a budget figure, beside its final
    (empty while the final is not in the warehouse; 未印 where the final prints the table and leaves
    the cell blank) and the execution rate."""
    pairs = _dicts(con, """
        with by_documents as (
            -- counted per budget and final document first: the distinct document lists are then
            -- gathered from a few rows a pair, not from each of its figures (2.8 s -> 1.1 s at 10,000 documents)
            select department_key, fiscal_year, budget_document_key, final_document_key,
                   any_value(department_name) as department_name,
                   count(budget_amount) as budgets,
                   count(*) filter (where budget_amount is not null and final_amount is not null) as compared,
                   count(*) filter (where budget_amount is not null and final_amount is null) as awaiting
            from marts.budget_vs_final
            group by department_key, fiscal_year, budget_document_key, final_document_key
        )
        select department_key, any_value(department_name) as department_name, fiscal_year,
               string_agg(distinct budget_document_key, ' ' order by budget_document_key) as budget_documents,
               string_agg(distinct final_document_key, ' ' order by final_document_key) as final_documents,
               sum(budgets)::bigint as budgets, sum(compared)::bigint as compared, sum(awaiting)::bigint as awaiting
        from by_documents
        group by department_key, fiscal_year
        order by department_name, fiscal_year""")
    rows = _dicts(con, """
        select b.department_key, b.fiscal_year, b.statement, b.row_key,
               coalesce(b.functional_code, b.economic_code) as code,
               coalesce(f.subject_name, e.subject_name) as subject_name,
               b.measure,
               (select regexp_replace(min(m.measure_name), '(预算数|决算数)', '', 'g') from marts.dim_measure m
                where m.statement = b.statement and m.measure in (b.measure, 'final_' || b.measure)) as measure_name,
               b.budget_amount, b.final_amount, b.difference, b.execution_rate,
               b.budget_source, b.budget_document_key, b.final_source, b.final_document_key
        from marts.budget_vs_final b
        left join marts.dim_functional_subject f on f.functional_code = b.functional_code
        left join marts.dim_economic_subject e on e.economic_code = b.economic_code
        where b.budget_amount is not null
        order by b.statement, b.functional_code nulls first, b.economic_code nulls first, b.row_key, b.measure,
                 b.budget_source""")
    by_pair: dict[tuple, list[dict]] = defaultdict(list)
    for row in rows:
        row["key"] = "|".join((row["budget_document_key"], row["statement"], row["row_key"], row["measure"],
                               row["budget_source"]))
        by_pair[(row["department_key"], row["fiscal_year"])].append(row)
    for pair in pairs:
        pair["rows"] = by_pair.get((pair["department_key"], pair["fiscal_year"]), [])
        pair["page"] = f"{pair['department_key']}-{pair['fiscal_year']}.html"
    return {"pairs": pairs}


def narrative_facts(con: duckdb.DuckDBPyConnection) -> dict:
    """marts.fct_narrative_facts per document, each fact with the narrative checks it takes part in
    (identity_results, family narrative: a stated figure against its table line, a stated sum or
    rate against its parts), and the document's checks themselves."""
    documents = _dicts(con, """
        select d.document_key, d.department_name, d.fiscal_year, d.status, d.source_file, d.reader
        from marts.dim_document d
        where exists (select 1 from marts.fct_narrative_facts f where f.document_key = d.document_key)
        order by d.department_name, d.fiscal_year""")
    facts = _dicts(con, """
        with checks as (
            select c.document_key, c.identity_key, c.row_key, c.measure, r.status, r.identity
            from marts.identity_cells c
            join marts.identity_results r using (document_key, identity_key)
            where c.statement = 'narrative' and r.family = 'narrative'
        ),
        -- a stated rate or share is checked against its amounts without cells of its own
        rate_checks as (
            select document_key, identity_key, status, identity from marts.identity_results
            where family = 'narrative' and status <> 'not applicable' and terms is null
        )
        select f.document_key, f.topic, f.item, f.measure, f.value, f.value_text, f.unit, f.sentence,
               f.source_line, f.page,
               -- the facts only the narrative states first, then per-项 budgets, stated totals, changes
               coalesce(list_position(['机关运行经费', '政府采购', '国有资产', '三公经费', '绩效', 'item_budget',
                                       'table_line', 'prior_year_change', 'budget_change'], f.topic), 99) as topic_rank,
               string_agg(distinct coalesce(checks.status, rate_checks.status), ' '
                          order by coalesce(checks.status, rate_checks.status)) as checked,
               string_agg(distinct coalesce(checks.identity, rate_checks.identity), '; '
                          order by coalesce(checks.identity, rate_checks.identity)) as checks
        from marts.fct_narrative_facts f
        -- the check of this very statement: the identity key ends with the fact's sentence and
        -- line (a stated figure), its sentence (a stated sum) or carries its line (a change sentence)
        left join checks
            on checks.document_key = f.document_key and checks.measure = f.measure
            and checks.row_key in (f.topic || '/' || f.item, f.item)
            and (ends_with(checks.identity_key, ' ' || f.sentence || ' ' || f.source_line)
                 or ends_with(checks.identity_key, '| sentence ' || f.sentence)
                 or (f.sentence is null and contains(checks.identity_key, ' ' || f.source_line || ' ')))
        left join rate_checks
            on rate_checks.document_key = f.document_key and f.measure in ('rate', 'share')
            and (ends_with(rate_checks.identity_key, '| ' || f.item || ' ' || f.sentence || ' ' || f.source_line)
                 or ends_with(rate_checks.identity_key, '| ' || f.item || ' '
                              || if(f.topic = 'budget_change', 'budget', 'prior_year') || ' ' || f.source_line))
        group by all
        order by f.document_key, topic_rank, f.topic, f.page nulls first, f.source_line, f.item, f.measure""")
    checks = _dicts(con, """
        select document_key, identity_template, identity, left_value, right_value, difference, tolerance, status
        from marts.identity_results
        where family = 'narrative' and status <> 'not applicable'
        order by document_key, status = 'passed', identity_template, identity""")
    facts_by_document: dict[str, list[dict]] = defaultdict(list)
    for fact in facts:
        fact["key"] = "|".join(str(part) for part in (fact["topic"], fact["item"], fact["measure"], fact["source_line"]))
        facts_by_document[fact["document_key"]].append(fact)
    checks_by_document: dict[str, list[dict]] = defaultdict(list)
    for check in checks:
        checks_by_document[check["document_key"]].append(check)
    for document in documents:
        document["facts"] = facts_by_document[document["document_key"]]
        document["checks"] = checks_by_document[document["document_key"]]
    return {"documents": documents}
