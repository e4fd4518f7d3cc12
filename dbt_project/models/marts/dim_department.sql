-- One row per conformed department (names normalised, renamed or merged departments mapped by
-- department_aliases): its budgets and finals of every year meet here.

with

documents as (

    select conformed.*
    from {{ ref('int_documents__conformed') }} as conformed
    inner join {{ ref('dim_document') }} as documents on conformed.document_key = documents.document_key
    where documents.status in ('published', 'accepted', 'quarantined')

)

select
    department_key,
    -- the name of its latest document, finals before budgets of the same year
    arg_max(department_name, fiscal_year * 2 + (phase = 'final')::integer) as department_name,
    any_value(conformed_department_name) as conformed_department_name,
    string_agg(distinct department_name, '；' order by department_name) as printed_names,
    min(fiscal_year) as first_fiscal_year,
    max(fiscal_year) as last_fiscal_year,
    count(*) as documents,
    count(*) filter (where phase = 'final') as final_documents,
    count(*) filter (where phase = 'budget') as budget_documents
from documents
group by department_key
