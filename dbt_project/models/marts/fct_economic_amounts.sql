{{ incremental_by_document(gated=true) }}

-- 一般公共预算财政拨款基本支出决算明细表 (T6) by economic code; 人员经费 or 公用经费.
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
    where published.statement = 'T6'

)

select
    document_key,
    document_sha256,
    statement,
    code as economic_code,
    row_key,
    row_label,
    -- the half of the table when it is printed with 人员经费/公用经费 headers; otherwise the
    -- national rule: 工资福利支出 (301) and 对个人和家庭的补助 (303) are 人员经费
    case
        when measure = 'personnel_amount' then '人员经费'
        when measure = 'public_amount' then '公用经费'
        when left(coalesce(code, ''), 3) in ('301', '303') or row_key like '人员经费%' then '人员经费'
        else '公用经费'
    end as expense_type,
    measure,
    amount,
    source_line,
    page
from cells
-- stored in the order BI filters it (statement, measure, code), so DuckDB's zone maps skip
-- the row groups a query does not need
order by measure, economic_code, document_key
