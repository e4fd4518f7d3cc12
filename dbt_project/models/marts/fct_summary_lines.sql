{{ incremental_by_document(gated=true) }}

-- The summary tables' lines: 收入支出决算总表 (T1) and 财政拨款收入支出决算总表 (T4).
-- Expenditure class lines are printed without a code; the 类 is found by name.
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
    where published.statement in ('T1', 'T4')

),

classes as (

    select * from {{ ref('stg_vocabulary__functional_classes') }}

)

select
    cells.document_key,
    cells.document_sha256,
    cells.statement,
    case when cells.measure like 'income%' then '收入' else '支出' end as side,
    cells.row_key as line_key,
    cells.row_label as line_label,
    classes.class_code as functional_class_code,
    cells.measure,
    cells.amount,
    cells.source_line,
    cells.page
from cells
left join classes
    on
        cells.measure not like 'income%'
        and cells.parent_label is null
        and regexp_replace(cells.line_label, '\s+', '', 'g') = classes.class_name
