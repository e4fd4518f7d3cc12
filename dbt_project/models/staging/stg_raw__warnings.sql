-- Read from the landing zone's files past a size: kept in a table, each file read once (raw_table).
{{ landed_table('warnings') }}
with

source as (

    select * from {{ raw_table('warnings') }}

),

renamed as (

    select
        document_id as document_key,
        warning_number,
        warning,
        landed_file_version

    from source

)

select * from renamed
