-- The summary tables' lines: 收入支出决算总表 (T1) and 财政拨款收入支出决算总表 (T4).
-- Expenditure class lines are printed without a code; the 类 is found by name.

with

cells as (

    select * from {{ ref('int_cells__published') }}
    where statement in ('T1', 'T4')

),

classes as (

    select * from {{ ref('stg_vocabulary__functional_classes') }}

)

select
    cells.document_key,
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
