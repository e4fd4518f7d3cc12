-- Every inbox file the warehouse holds, read or not: what extraction recorded about it.
-- Read from the landing zone's files past a size: kept in a table, each file read once (raw_table).
{{ landed_table('documents') }}
with

source as (

    select * from {{ raw_table('documents') }}

),

renamed as (

    select
        document_id as document_key,
        nullif(trim(department_name), '') as department_name,
        cast(fiscal_year as integer) as fiscal_year,
        case
            when coalesce(extraction_status, 'read') = 'read' then coalesce(nullif(trim(phase), ''), 'final')
        end as phase,
        source_file,
        inbox_path,
        sha256,
        reader,
        unit as printed_unit,
        statements_found,
        nullif(trim(held_back), '') as held_back_reason,
        cast(file_modified_at as timestamp) as file_modified_at,
        cast(landed_at as timestamp) as landed_at,
        coalesce(extraction_status, 'read') as extraction_status,
        nullif(reason, '') as extraction_reason,
        reason_line as extraction_reason_line,
        reason_page as extraction_reason_page,
        coalesce(warning_count, 0) as warning_count,
        extractor_version,
        landed_file_version

    from source

)

select * from renamed
