with

documents as (

    select * from {{ ref('dim_document') }}
    where status in ('published', 'accepted', 'quarantined')

)

select
    fiscal_year,
    cast(fiscal_year as varchar) || '年度' as fiscal_year_label,
    count(*) as documents
from documents
group by fiscal_year
