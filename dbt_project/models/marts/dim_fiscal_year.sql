with

documents as (

    select * from {{ ref('stg_raw__documents') }}

)

select
    fiscal_year,
    cast(fiscal_year as varchar) || '年度' as fiscal_year_label,
    count(*) as documents
from documents
group by fiscal_year
