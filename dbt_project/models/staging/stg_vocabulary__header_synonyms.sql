with

source as (

    select * from {{ ref('header_synonyms') }}

),

renamed as (

    select
        statement,
        header,
        role,
        nullif(measure, '') as measure,
        measure_name

    from source

)

select * from renamed
