-- Every other name printed for a functional or economic code than the one its dimension
-- carries (and, for a 类, the national name when the documents print another), so no printed
-- name is lost. A side table rather than a list column, which BI tools and drivers trip on.

with

printed as (

    select
        classification,
        code,
        subject_name,
        sum(printed_times) as printed_times
    from {{ ref('int_subject_names') }}
    group by classification, code, subject_name

),

national_classes as (

    select
        'functional' as classification,
        class_code as code,
        class_name as subject_name,
        0 as printed_times
    from {{ ref('stg_vocabulary__functional_classes') }}

),

candidates as (

    select * from printed
    union all
    select * from national_classes

),

chosen as (

    select
        'functional' as classification,
        functional_code as code,
        subject_name
    from {{ ref('dim_functional_subject') }}
    union all
    select
        'economic' as classification,
        economic_code as code,
        subject_name
    from {{ ref('dim_economic_subject') }}

)

select
    candidates.classification,
    candidates.code as subject_code,
    candidates.subject_name as name_variant,
    cast(sum(candidates.printed_times) as integer) as printed_times
from candidates
inner join chosen
    on
        candidates.classification = chosen.classification
        and candidates.code = chosen.code
where candidates.subject_name <> chosen.subject_name
group by candidates.classification, candidates.code, candidates.subject_name
