-- Past a size the raw cells are read from CSV files, each file once, and kept in a table here (raw_table).
{{ landed_table('cells') }}

with

source as (

    select * from {{ raw_table('cells') }}

),

renamed as (

    select
        document_id as document_key,
        statement,
        row_index,
        trim(row_label) as row_label,
        nullif(trim(parent_label), '') as parent_label,
        nullif(trim(code), '') as code,
        column_header,
        amount_text,
        cast(amount as decimal(18, 2)) as printed_amount,
        unit,
        source_line,
        page,
        nullif(trim(measure), '') as measure,
        coalesce(flags, '') as flags,
        landed_file_version

    from source

)

select * from renamed
