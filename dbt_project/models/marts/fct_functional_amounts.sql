{{ incremental_by_document(gated=true) }}

-- Amounts by functional code: 收入决算表 (T2), 支出决算表 (T3), 一般公共预算财政拨款支出
-- (T5), 政府性基金 (T7) and 国有资本经营 (T8). The 合计 row has no code.
-- Kept by document (published or accepted ones): a build adds new or changed documents, drops
-- those that leave the gate.

with

to_process as (

    {{ documents_to_process(gated=true) }}

),

cells as (

    select published.*
    from {{ ref('int_cells__published') }} as published
    inner join to_process
        on
            published.document_key = to_process.document_key
            and published.document_sha256 = to_process.document_sha256
    where published.statement in ('T2', 'T3', 'T5', 'T7', 'T8')

)

select
    document_key,
    document_sha256,
    statement,
    code as functional_code,
    row_key,
    row_label,
    measure,
    amount,
    source_line,
    page
from cells
-- stored in the order BI filters it (statement, measure, code), so DuckDB's zone maps skip
-- the row groups a query does not need
order by statement, measure, functional_code, document_key
