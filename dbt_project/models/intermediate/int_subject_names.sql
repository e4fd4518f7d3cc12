-- Every printed name of every code, with how often it was printed. A code identifies a
-- subject; its names may differ between tables (劳动关系和维权 / 劳动关系的维权).

with

cells as (

    select * from {{ ref('int_cells__measured') }}
    where code is not null

),

names as (

    select
        case when statement = 'T6' then 'economic' else 'functional' end as classification,
        code,
        regexp_replace(row_label, '\s+', '', 'g') as subject_name,
        count(distinct document_key || '|' || statement) as printed_times,
        min(statement) as first_statement
    from cells
    group by all

)

select * from names
