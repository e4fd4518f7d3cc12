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
