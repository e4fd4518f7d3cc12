{{ incremental_by_document() }}

-- Each raw cell gets its row key and its amount in 万元, exact: a 元 figure keeps every
-- printed 分 (1 分 = 0.000001 万元, so DECIMAL(24, 6) holds it), and its rounding: half a unit
-- of the last digit its table prints, in 万元 (a 元 table printed in whole 元 is rounded to
-- 0.5 元, a 万元 table to 0.005 万元), which sets identity tolerances. Its canonical measure is
-- the reader's: the reader places every column by the words of its header (header_synonyms)
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

-- whether a table (of one unit) prints decimals anywhere: grouped and joined back, not a window
-- over the cells (the window sorted every cell with all its columns: 17 of 32 CPU seconds at
-- 10,000 documents)
table_precision as (

    select
        document_key,
        statement,
        unit,
        bool_or(amount_text like '%.%') as prints_decimals
    from matched
    group by document_key, statement, unit

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
                when '元' then cast(matched.printed_amount as decimal(24, 6)) * 0.0001
                else matched.printed_amount
            end as decimal(24, 6)
        ) as amount,
        cast(
            case
                when table_precision.prints_decimals then 0.005
                else 0.5
            end
            * case matched.unit when '元' then 0.0001 else 1 end
            as decimal(24, 8)
        ) as rounding
    from matched
    inner join documents on matched.document_key = documents.document_key
    inner join table_precision
        on
            matched.document_key = table_precision.document_key
            and matched.statement = table_precision.statement
            and matched.unit is not distinct from table_precision.unit

)

select * from keyed
