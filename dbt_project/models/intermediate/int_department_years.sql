-- One row per department (conformed) and fiscal year with a published or accepted document: where
-- budgets meet finals (budget_vs_final). Its version changes when any of those documents is new,
-- revised, passes or leaves the gate, when the build's models or vocabulary change, or when the
-- department's name changes: budget_vs_final recomputes those department-years only.

with

gated as (

    select
        conformed.department_key,
        conformed.fiscal_year,
        conformed.document_key,
        gate.status,
        {{ document_version('lifecycle.content_version') }} as document_version
    from {{ ref('int_documents__conformed') }} as conformed
    inner join {{ ref('int_documents__lifecycle') }} as lifecycle
        on conformed.document_key = lifecycle.document_key
    inner join {{ ref('int_document_status') }} as gate
        on conformed.document_key = gate.document_key
    where gate.status in ('published', 'accepted')

),

departments as (

    select * from {{ ref('dim_department') }}

)

select
    gated.department_key,
    gated.fiscal_year,
    md5(
        string_agg(
            gated.document_key || ':' || gated.document_version || ':' || gated.status, '|'
            order by gated.document_key
        )
        || '|' || any_value(departments.department_name)
        || '|' || '{{ var("narrative_item_budgets", false) }}'
    ) as inputs_version
from gated
inner join departments on gated.department_key = departments.department_key
group by gated.department_key, gated.fiscal_year
