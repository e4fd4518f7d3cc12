{{ incremental_by_document() }}

-- Each raw cell gets its canonical measure, its row key and its amount in 万元.
-- A header matches a synonym exactly or by its trailing path parts ("收入/项目" ends in
-- "项目"); the statement's own synonyms win over generic ones, longer matches over shorter.

with

cells as (

    select * from {{ ref('stg_raw__cells') }}

),

synonyms as (

    select * from {{ ref('stg_vocabulary__header_synonyms') }}

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

    select
        cells.*,
        synonyms.role,
        synonyms.measure
    from cells
    inner join to_process on cells.document_key = to_process.document_key
    left join synonyms
        on
            synonyms.statement in (cells.statement, '*')
            and (
                cells.column_header = synonyms.header
                or cells.column_header like '%/' || synonyms.header
            )
    qualify row_number() over (
        partition by
            cells.document_key, cells.statement, cells.row_index, cells.source_line, cells.page,
            cells.column_header, cells.row_label, cells.code
        order by (synonyms.statement = '*'), length(synonyms.header) desc
    ) = 1

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
        matched.role,
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
