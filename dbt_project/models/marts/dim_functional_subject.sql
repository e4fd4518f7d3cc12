-- One row per functional code (类 3 digits, 款 5, 项 7). Its name is the one printed most
-- often (ties: the shortest, then first alphabetically); every other printed name is kept
-- in subject_name_variants (a side table, so BI tools see no list columns).

with

printed as (

    select * from {{ ref('int_subject_names') }}
    where classification = 'functional'

),

national_classes as (

    select
        class_code as code,
        class_name as subject_name,
        0 as printed_times
    from {{ ref('stg_vocabulary__functional_classes') }}

),

candidates as (

    select
        code,
        subject_name,
        printed_times
    from printed
    union all
    select
        code,
        subject_name,
        printed_times
    from national_classes

),

totals as (

    select
        code,
        subject_name,
        sum(printed_times) as printed_times
    from candidates
    group by code, subject_name

),

named as (

    select
        code,
        subject_name,
        sum(printed_times) over (partition by code) as printed_times
    from totals
    qualify row_number() over (
        partition by code order by printed_times desc, length(subject_name) asc, subject_name asc
    ) = 1

),

shaped as (

    select
        named.code as functional_code,
        named.subject_name,
        case length(named.code) when 3 then '类' when 5 then '款' else '项' end as subject_level,
        case length(named.code) when 3 then null else left(named.code, length(named.code) - 2) end as parent_code,
        left(named.code, 3) as class_code,
        case when length(named.code) >= 5 then left(named.code, 5) end as section_code,
        cast(named.printed_times as integer) as printed_times
    from named

)

select
    shaped.functional_code,
    shaped.subject_name,
    shaped.subject_level,
    shaped.parent_code,
    shaped.class_code,
    classes.subject_name as class_name,
    shaped.section_code,
    sections.subject_name as section_name,
    shaped.printed_times
from shaped
left join named as classes on shaped.class_code = classes.code
left join named as sections on shaped.section_code = sections.code
