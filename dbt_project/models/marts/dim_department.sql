with

documents as (

    select * from {{ ref('dim_document') }}
    where status in ('published', 'accepted', 'quarantined')

)

select
    department_key,
    any_value(department_name order by fiscal_year desc) as department_name,
    min(fiscal_year) as first_fiscal_year,
    max(fiscal_year) as last_fiscal_year,
    count(*) as documents
from documents
group by department_key
