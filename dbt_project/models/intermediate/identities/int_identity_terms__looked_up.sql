{{ incremental_by_document() }}

-- The terms of the cross-table and narrative families with their cell's rounding and where it
-- was printed, looked up: their cells are another family's (a table line, a narrative amount),
-- unlike the row sums', hierarchy's and summary totals' terms, which carry their own.

with

to_process as (

    {{ documents_to_process() }}

),

-- by name: a table that took a column in place (sync_all_columns) holds it last
other_terms as (

    select * from {{ ref('int_identity_terms__cross_table') }}
    union all by name
    select * from {{ ref('int_identity_terms__narrative') }}
    union all by name
    select * from {{ ref('int_identity_terms__narrative_facts') }}

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

)

select
    other_terms.*,
    printed.rounding,
    printed.source_line,
    printed.page
from other_terms
inner join to_process
    on
        other_terms.document_key = to_process.document_key
        and other_terms.document_sha256 = to_process.document_sha256
left join printed
    on
        other_terms.document_key = printed.document_key
        and other_terms.statement = printed.statement
        and other_terms.row_key = printed.row_key
        and other_terms.measure = printed.measure
