{{ incremental_by_document() }}

-- Every term of every evaluated identity instance: which cell, on which side, with which sign,
-- and how far rounding may have moved its printed figure (in 万元; a narrative figure by its
-- printed digits).

with

to_process as (

    {{ documents_to_process() }}

),

row_sums as (

    select * from {{ ref('int_identity_terms__row_sums') }}

),

hierarchy as (

    select * from {{ ref('int_identity_terms__hierarchy') }}

),

summary_totals as (

    select * from {{ ref('int_identity_terms__summary_totals') }}

),

cross_table as (

    select * from {{ ref('int_identity_terms__cross_table') }}

),

narrative as (

    select * from {{ ref('int_identity_terms__narrative') }}

),

narrative_facts as (

    select * from {{ ref('int_identity_terms__narrative_facts') }}

),

unioned as (

    select * from row_sums
    union all
    select * from hierarchy
    union all
    select * from summary_totals
    union all
    select * from cross_table
    union all
    select * from narrative
    union all
    select * from narrative_facts

),

catalog as (

    select * from {{ ref('stg_vocabulary__identity_catalog') }}

),

cell_rounding as (

    select
        document_key,
        statement,
        row_key,
        measure,
        max(rounding) as rounding
    from {{ ref('int_identity_cells') }}
    group by document_key, statement, row_key, measure

),

narrative_rounding as (

    select
        document_key,
        'narrative' as statement,
        topic as row_key,
        'amount' as measure,
        max(amount_rounding) as rounding
    from {{ ref('stg_raw__narrative') }}
    group by document_key, topic

),

rounding as (

    select * from cell_rounding
    union all
    select * from narrative_rounding

)

select
    unioned.document_key,
    unioned.document_sha256,
    catalog.family,
    unioned.identity_template,
    unioned.identity_key,
    unioned.identity,
    unioned.side,
    unioned.sign,
    -- how a change of this cell moves (left - right)
    case when unioned.side = 'left' then unioned.sign else -unioned.sign end as coefficient,
    unioned.statement,
    unioned.row_key,
    unioned.measure,
    unioned.amount,
    -- a printed figure whose table's rounding is unknown here counts as printed to 0.01 万元
    case when unioned.amount is not null then coalesce(rounding.rounding, 0.005) end as rounding
from unioned
inner join to_process
    on
        unioned.document_key = to_process.document_key
        and unioned.document_sha256 = to_process.document_sha256
inner join catalog on unioned.identity_template = catalog.identity_template
left join rounding
    on
        unioned.document_key = rounding.document_key
        and unioned.statement = rounding.statement
        and unioned.row_key = rounding.row_key
        and unioned.measure = rounding.measure
