-- Amounts by functional code: 收入决算表 (T2), 支出决算表 (T3), 一般公共预算财政拨款支出
-- (T5), 政府性基金 (T7) and 国有资本经营 (T8). The 合计 row has no code.

with

cells as (

    select * from {{ ref('int_cells__published') }}
    where statement in ('T2', 'T3', 'T5', 'T7', 'T8')

)

select
    document_key,
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
