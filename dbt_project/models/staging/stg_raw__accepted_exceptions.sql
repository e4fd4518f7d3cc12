with

source as (

    select * from {{ ref('accepted_exceptions') }}

),

renamed as (

    select
        document_id as document_key,
        sha256,
        reason,
        accepted_on

    from source

)

select * from renamed
