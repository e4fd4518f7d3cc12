-- Read from the landing zone's files past a size: loaded once into a table, not re-read by every test.
{{ config(materialized='table' if var('raw_dir', none) else 'view') }}
with

source as (

    select * from {{ raw_table('warnings') }}

),

renamed as (

    select
        document_id as document_key,
        warning_number,
        warning

    from source

)

select * from renamed
