-- 一般公共预算财政拨款基本支出决算明细表 (T6) by economic code; 人员经费 or 公用经费.

with

cells as (

    select * from {{ ref('int_cells__published') }}
    where statement = 'T6'

)

select
    document_key,
    statement,
    code as economic_code,
    row_key,
    row_label,
    case measure
        when 'personnel_amount' then '人员经费'
        when 'public_amount' then '公用经费'
    end as expense_type,
    measure,
    amount,
    source_line,
    page
from cells
