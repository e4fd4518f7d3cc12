{{ config(materialized='view') }}

-- Where each cell an identity can name was printed: a table cell's source line and page, and
-- for an amount the narrative states (statement 'narrative', row key = topic) the first line
-- stating it. Lets identity_cells and suspect_cells point at the page to open.
-- A view: int_identity_cells holds the table cells already, once per row and column (the first
-- printed), so a second table of the same rows would only be written and read again.

with

to_process as (

    {{ documents_to_process() }}

),

table_cells as (

    select
        document_key,
        document_sha256,
        statement,
        row_key,
        measure,
        source_line,
        page
    from {{ ref('int_identity_cells') }}

),

narrative_amounts as (

    select
        narrative.document_key,
        any_value(to_process.document_sha256) as document_sha256,
        'narrative' as statement,
        narrative.topic as row_key,
        'amount' as measure,
        min(narrative.source_line) as source_line,
        min(narrative.page) as page
    from {{ ref('stg_raw__narrative') }} as narrative
    inner join to_process on narrative.document_key = to_process.document_key
    where narrative.amount is not null
    group by narrative.document_key, narrative.topic

)

select * from table_cells
union all
select * from narrative_amounts
