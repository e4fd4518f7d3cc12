-- The cells of every evaluated identity, one row per term, with where each was printed
-- (source line, page). A side table of identity_results rather than a list column, which BI
-- tools and drivers trip on. A term whose cell the document does not print has no amount.

with

terms as (

    select * from {{ ref('int_identity_terms') }}

),

results as (

    select
        document_key,
        document_sha256,
        identity_key
    from {{ ref('int_identity_results') }}

),

cells as (

    select
        document_key,
        statement,
        row_key,
        measure,
        source_line,
        page
    from {{ ref('int_cells__printed_at') }}

)

select
    terms.document_key,
    terms.identity_key,
    terms.side,
    cast(terms.sign as integer) as sign,
    terms.statement,
    terms.row_key,
    terms.measure,
    terms.amount,
    terms.rounding,
    cells.source_line,
    cells.page
from terms
inner join results
    on
        terms.document_key = results.document_key
        and terms.document_sha256 = results.document_sha256
        and terms.identity_key = results.identity_key
left join cells
    on
        terms.document_key = cells.document_key
        and terms.statement = cells.statement
        and terms.row_key = cells.row_key
        and terms.measure = cells.measure
