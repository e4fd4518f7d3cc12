with

source as (

    select * from {{ ref('summary_lines') }}

),

renamed as (

    select
        statement,
        side,
        {{ normalize_label('line_key') }} as line_key,
        line_role,
        nullif(counterpart_measure, '') as counterpart_measure

    from source

)

select * from renamed
