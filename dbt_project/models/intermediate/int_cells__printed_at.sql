{{ incremental_by_document() }}

-- Where each cell an identity can name was printed: a table cell's source line and page, and
-- for an amount the narrative states (statement 'narrative', row key = topic) the first line
-- stating it. Lets identity_cells and suspect_cells point at the page to open. Kept by document.

with

to_process as (

    {{ documents_to_process() }}

),

table_cells as (

    select
        measured.document_key,
        to_process.document_sha256,
        measured.statement,
        measured.row_key,
        measured.measure,
        measured.source_line,
        measured.page
    from {{ ref('int_cells__measured') }} as measured
    inner join to_process on measured.document_key = to_process.document_key
    -- a cell printed twice under one row and column holds its document back; name the first
    where measured.measure is not null and measured.row_key is not null
    qualify row_number() over (
        partition by measured.document_key, measured.statement, measured.row_key, measured.measure
        order by measured.page, measured.source_line
    ) = 1

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

select
    document_key,
    document_sha256,
    statement,
    row_key,
    measure,
    source_line,
    page
from table_cells
union all
select
    document_key,
    document_sha256,
    statement,
    row_key,
    measure,
    source_line,
    page
from narrative_amounts
