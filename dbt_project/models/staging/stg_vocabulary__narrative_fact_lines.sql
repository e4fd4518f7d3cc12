with

source as (

    select * from {{ ref('narrative_fact_lines') }}

)

select * from source
