with

documents as (

    select * from {{ ref('stg_raw__documents') }}

)

select
    md5(department_name) as department_key,
    department_name,
    min(fiscal_year) as first_fiscal_year,
    max(fiscal_year) as last_fiscal_year,
    count(*) as documents
from documents
group by department_name
