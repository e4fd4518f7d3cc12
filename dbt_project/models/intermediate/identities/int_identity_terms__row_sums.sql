-- Row identities: on one printed row, a total column equals its signed part columns
-- (T2, T3, T5, T7, T8 rows; T4 expenditure lines; T9). Rules are data: identity_row_rules.

with

cells as (

    select * from {{ ref('int_identity_cells') }}

),

rules as (

    select * from {{ ref('stg_vocabulary__identity_row_rules') }}

),

instances as (

    select distinct
        cells.document_key,
        rules.identity_template,
        cells.statement,
        cells.row_key,
        rules.total_measure
    from cells
    inner join rules
        on
            cells.statement = rules.statement
            and cells.measure = rules.total_measure

),

terms as (

    select
        instances.*,
        'left' as side,
        1 as sign,
        instances.total_measure as measure
    from instances
    union all
    select
        instances.*,
        'right' as side,
        rules.sign,
        rules.part_measure as measure
    from instances
    inner join rules
        on
            instances.identity_template = rules.identity_template
            and instances.statement = rules.statement
            and instances.total_measure = rules.total_measure

)

select
    terms.document_key,
    terms.identity_template,
    terms.identity_template || ' | ' || terms.statement || ' ' || terms.row_key || ' ' || terms.total_measure
        as identity_key,
    terms.statement || ' ' || terms.row_key || ' ' || terms.total_measure || ': '
    || terms.identity_template as identity,
    terms.side,
    terms.sign,
    terms.statement,
    terms.row_key,
    terms.measure,
    cells.amount
from terms
left join cells
    on
        terms.document_key = cells.document_key
        and terms.statement = cells.statement
        and terms.row_key = cells.row_key
        and terms.measure = cells.measure
