{{ config(materialized='view') }}

-- Every amount of every fact in one shape, for analysts who want one place to look; budgets
-- (phase 'budget') and finals ('final') side by side under the same statements and measures.

with

facts as (

    select
        document_key,
        statement,
        line_key as row_key,
        measure,
        amount,
        source_line,
        page
    from {{ ref('fct_summary_lines') }}
    union all
    select
        document_key,
        statement,
        row_key,
        measure,
        amount,
        source_line,
        page
    from {{ ref('fct_functional_amounts') }}
    union all
    select
        document_key,
        statement,
        row_key,
        measure,
        amount,
        source_line,
        page
    from {{ ref('fct_economic_amounts') }}
    union all
    select
        document_key,
        statement,
        row_key,
        measure,
        amount,
        source_line,
        page
    from {{ ref('fct_three_public_expenses') }}
    union all
    -- tables only a budget prints (财政拨款支出预算表, 机关运行经费, 政府采购 …: ids of their own
    -- in statement_titles) have no fact of the nine; their published cells are here
    select
        document_key,
        statement,
        row_key,
        measure,
        amount,
        source_line,
        page
    from {{ ref('int_cells__published') }}
    where statement not in ('T1', 'T2', 'T3', 'T4', 'T5', 'T6', 'T7', 'T8', 'T9')

),

documents as (

    select * from {{ ref('dim_document') }}

)

select
    facts.document_key,
    documents.department_key,
    documents.department_name,
    documents.fiscal_year,
    documents.phase,
    facts.statement,
    facts.row_key,
    facts.measure,
    facts.amount,
    facts.source_line,
    facts.page
from facts
inner join documents on facts.document_key = documents.document_key
