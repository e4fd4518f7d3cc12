with

source as (

    select * from {{ ref('narrative_lines') }}

),

renamed as (

    select
        {{ normalize_label('topic') }} as topic,
        statement,
        row_key,
        measure

    from source

)

select * from renamed
