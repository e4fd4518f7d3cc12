with

source as (

    select * from {{ ref('functional_classes') }}

),

renamed as (

    select
        class_code,
        class_name

    from source

)

select * from renamed
