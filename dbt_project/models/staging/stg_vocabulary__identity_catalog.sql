with

source as (

    select * from {{ ref('identity_catalog') }}

),

renamed as (

    select * from source

)

select * from renamed
