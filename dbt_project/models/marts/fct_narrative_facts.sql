-- The facts the narrative (情况说明) states, one row per stated figure, for published documents:
-- those only the narrative holds (机关运行经费, 政府采购, 国有资产, 三公 detail, 绩效, per-项 budget
-- and 决算) and the totals it states for table lines, with the prior-year (or budget) comparisons
-- of its change sentences. Every row keeps its page and line.

with

gate as (

    select document_key from {{ ref('int_document_status') }}
    where status in ('published', 'accepted')

),

facts as (

    select
        document_key,
        topic,
        item,
        measure,
        value,
        value_text,
        unit,
        sentence,
        source_line,
        page
    from {{ ref('stg_raw__narrative_facts') }}

),

changes as (

    select
        narrative.document_key,
        case narrative.base when 'budget' then 'budget_change' else 'prior_year_change' end as topic,
        narrative.topic as item,
        measures.measure_name,
        case measures.measure_name
            when 'amount' then cast(narrative.amount as decimal(18, 4))
            when 'change' then cast(narrative.change_amount as decimal(18, 4))
            else cast(narrative.rate_text as decimal(18, 4))
        end as value,  -- noqa: RF04
        case measures.measure_name
            when 'amount' then cast(narrative.amount as varchar)
            when 'change' then cast(narrative.change_amount as varchar)
            else narrative.rate_text
        end as value_text,
        case measures.measure_name when 'rate' then '%' else '万元' end as unit,
        cast(null as integer) as sentence,
        narrative.source_line,
        narrative.page
    from {{ ref('stg_raw__narrative') }} as narrative
    cross join (values ('amount'), ('change'), ('rate')) as measures (measure_name)

)

select unioned.*
from (
    select * from facts
    union all
    select * from changes
) as unioned
inner join gate on unioned.document_key = gate.document_key
