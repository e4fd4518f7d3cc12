with

source as (

    select * from {{ ref('narrative_fact_rules') }}

)

select * from source
