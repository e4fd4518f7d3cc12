{{ incremental_by_document() }}

-- Each raw cell gets its row key and its amount in 万元. Its canonical measure is the
-- reader's: the reader places every column by the words of its header (header_synonyms)
-- and refuses a document with a figure it cannot place.

with

cells as (

    select * from {{ ref('stg_raw__cells') }}

),

to_process as (

    {{ documents_to_process() }}

),

documents as (

    select
        documents.*,
        to_process.document_sha256 as document_version
    from {{ ref('stg_raw__documents') }} as documents
    inner join to_process on documents.document_key = to_process.document_key

),

matched as (

    select cells.*
    from cells
    inner join to_process on cells.document_key = to_process.document_key

),

keyed as (

    select
        matched.document_key,
        matched.statement,
        matched.row_index,
        matched.row_label,
        matched.parent_label,
        matched.code,
        matched.column_header,
        matched.measure,
        matched.amount_text,
        matched.printed_amount,
        matched.unit,
        matched.source_line,
        matched.page,
        documents.document_version as document_sha256,
        documents.department_name,
        documents.fiscal_year,
        {{ strip_ordinal('matched.row_label') }} as line_label,
        coalesce(
            matched.code,
            case
                when matched.parent_label is not null
                    then {{ strip_ordinal('matched.parent_label') }} || '/' || {{ strip_ordinal('matched.row_label') }}
                else {{ strip_ordinal('matched.row_label') }}
            end
        ) as row_key,
        cast(
            case matched.unit
                when '元' then round(matched.printed_amount / 10000, 2)
                else matched.printed_amount
            end as decimal(18, 2)
        ) as amount
    from matched
    inner join documents on matched.document_key = documents.document_key

)

select * from keyed
