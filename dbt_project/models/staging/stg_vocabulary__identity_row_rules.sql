with

source as (

    select * from {{ ref('identity_row_rules') }}

),

renamed as (

    select * from source

)

select * from renamed
