{{ incremental_by_document(gated=true) }}

-- 财政拨款"三公"经费支出决算表 (T9): budget (预算数) and final (决算数) by item.
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
    where published.statement = 'T9'

)

select
    document_key,
    document_sha256,
    statement,
    row_key,
    case when measure like 'budget_%' then '预算数' else '决算数' end as basis,
    regexp_replace(measure, '^(budget|final)_', '') as item,
    measure,
    amount,
    source_line,
    page
from cells
