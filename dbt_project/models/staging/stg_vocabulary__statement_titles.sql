with

source as (

    select * from {{ ref('statement_titles') }}

),

renamed as (

    select
        statement,
        kind,
        pattern,
        statement_name

    from source

)

select * from renamed
