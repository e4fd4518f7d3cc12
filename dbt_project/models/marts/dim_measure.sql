with

synonyms as (

    select * from {{ ref('stg_vocabulary__header_synonyms') }}
    where role = 'amount'

)

select
    statement,
    measure,
    min(measure_name) as measure_name
from synonyms
group by statement, measure
