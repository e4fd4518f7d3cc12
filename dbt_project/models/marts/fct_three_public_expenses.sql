-- 财政拨款"三公"经费支出决算表 (T9): budget (预算数) and final (决算数) by item.

with

cells as (

    select * from {{ ref('int_cells__published') }}
    where statement = 'T9'

)

select
    document_key,
    statement,
    row_key,
    case when measure like 'budget_%' then '预算数' else '决算数' end as basis,
    regexp_replace(measure, '^(budget|final)_', '') as item,
    measure,
    amount,
    source_line,
    page
from cells
