-- One row per economic code (类 3 digits, 款 5), named as dim_functional_subject is.

with

printed as (

    select * from {{ ref('int_subject_names') }}
    where classification = 'economic'

),

totals as (

    select
        code,
        subject_name,
        sum(printed_times) as printed_times
    from printed
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

)

select
    named.code as economic_code,
    named.subject_name,
    case length(named.code) when 3 then '类' else '款' end as subject_level,
    case length(named.code) when 3 then null else left(named.code, 3) end as parent_code,
    cast(named.printed_times as integer) as printed_times
from named
