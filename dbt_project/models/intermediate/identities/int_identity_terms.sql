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

-- the terms that are cells of int_identity_cells (row sums, hierarchy, summary totals: 24 of 25
-- million terms at 10,000 documents) carry their cell's rounding and where it was printed; only
-- the others look them up (one join of every term onto every cell took 40 of the model's 60 s at
-- 10,000 documents, and identity_cells made a second one for the source lines)
cell_terms as (

    select * from row_sums
    union all
    select * from hierarchy
    union all
    select * from summary_totals

),

other_terms as (

    select * from cross_table
    union all
    select * from narrative
    union all
    select * from narrative_facts

),

catalog as (

    select * from {{ ref('stg_vocabulary__identity_catalog') }}

),

-- int_identity_cells holds each cell once (document, statement, row, measure).
-- Only the documents of this run: every other document's terms are kept as they are.
printed_cells as (

    select
        identity_cells.document_key,
        identity_cells.statement,
        identity_cells.row_key,
        identity_cells.measure,
        identity_cells.rounding,
        identity_cells.source_line,
        identity_cells.page
    from {{ ref('int_identity_cells') }} as identity_cells
    inner join to_process on identity_cells.document_key = to_process.document_key

),

narrative_amounts as (

    select
        narrative.document_key,
        'narrative' as statement,
        narrative.topic as row_key,
        'amount' as measure,
        max(narrative.amount_rounding) as rounding,
        -- the first line stating the amount
        min(narrative.source_line) filter (where narrative.amount is not null) as source_line,
        min(narrative.page) filter (where narrative.amount is not null) as page
    from {{ ref('stg_raw__narrative') }} as narrative
    inner join to_process on narrative.document_key = to_process.document_key
    group by narrative.document_key, narrative.topic

),

printed as (

    select * from printed_cells
    union all
    select * from narrative_amounts

),

unioned as (

    select * from cell_terms
    union all
    select
        other_terms.*,
        printed.rounding,
        printed.source_line,
        printed.page
    from other_terms
    left join printed
        on
            other_terms.document_key = printed.document_key
            and other_terms.statement = printed.statement
            and other_terms.row_key = printed.row_key
            and other_terms.measure = printed.measure

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
    case when unioned.amount is not null then coalesce(unioned.rounding, 0.005) end as rounding,
    -- where the cell was printed: a table cell's source line and page, a narrative amount's first line
    unioned.source_line,
    unioned.page
from unioned
inner join to_process
    on
        unioned.document_key = to_process.document_key
        and unioned.document_sha256 = to_process.document_sha256
inner join catalog on unioned.identity_template = catalog.identity_template
