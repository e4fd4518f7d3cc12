-- Where each cell an identity can name was printed: a table cell's source line and page, and
-- for an amount the narrative states (statement 'narrative', row key = topic) the first line
-- stating it. Lets identity_cells and suspect_cells point at the page to open.

with

table_cells as (

    select
        document_key,
        statement,
        row_key,
        measure,
        source_line,
        page
    from {{ ref('int_cells__measured') }}
    -- a cell printed twice under one row and column holds its document back; name the first
    where measure is not null and row_key is not null
    qualify row_number() over (
        partition by document_key, statement, row_key, measure order by page, source_line
    ) = 1

),

narrative_amounts as (

    select
        document_key,
        'narrative' as statement,
        topic as row_key,
        'amount' as measure,
        min(source_line) as source_line,
        min(page) as page
    from {{ ref('stg_raw__narrative') }}
    where amount is not null
    group by document_key, topic

)

select * from table_cells
union all
select * from narrative_amounts
