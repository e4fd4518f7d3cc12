{{ incremental_by_document() }}

-- Row identities: on one printed row, a total column equals its signed part columns
-- (T2, T3, T5, T7, T8 rows; T4 expenditure lines; T9). Rules are data: identity_row_rules.

with

to_process as (

    {{ documents_to_process() }}

),

cells as (

    select identity_cells.*
    from {{ ref('int_identity_cells') }} as identity_cells
    inner join to_process on identity_cells.document_key = to_process.document_key

),

rules as (

    select * from {{ ref('stg_vocabulary__identity_row_rules') }}

),

-- a rule applies to a table that prints at least one of its part columns somewhere: a final's
-- T1 has one 决算数 column per side, a budget's T1 splits its expenditure into 人员经费 |
-- 公用经费 | 项目支出; a blank part on one row is still a term (zero)
columns_printed as (

    select distinct
        document_key,
        statement,
        measure
    from cells

),

applicable_rules as (

    select distinct
        columns_printed.document_key,
        rules.identity_template,
        rules.statement,
        rules.total_measure
    from rules
    inner join columns_printed
        on
            rules.statement = columns_printed.statement
            and rules.part_measure = columns_printed.measure

),

-- each instance is its total's cell, which it carries (the left term)
instances as (

    select distinct
        cells.document_key,
        applicable_rules.identity_template,
        cells.statement,
        cells.row_key,
        applicable_rules.total_measure,
        cells.amount,
        cells.rounding,
        cells.source_line,
        cells.page
    from cells
    inner join applicable_rules
        on
            cells.document_key = applicable_rules.document_key
            and cells.statement = applicable_rules.statement
            and cells.measure = applicable_rules.total_measure

),

-- the parts are looked up: a part left blank on the row is a term without an amount
terms as (

    select
        instances.document_key,
        instances.identity_template,
        instances.statement,
        instances.row_key,
        instances.total_measure,
        'left' as side,
        1 as sign,
        instances.total_measure as measure,
        instances.amount,
        instances.rounding,
        instances.source_line,
        instances.page
    from instances
    union all
    select
        instances.document_key,
        instances.identity_template,
        instances.statement,
        instances.row_key,
        instances.total_measure,
        'right' as side,
        rules.sign,
        rules.part_measure as measure,
        cells.amount,
        cells.rounding,
        cells.source_line,
        cells.page
    from instances
    inner join rules
        on
            instances.identity_template = rules.identity_template
            and instances.statement = rules.statement
            and instances.total_measure = rules.total_measure
    left join cells
        on
            instances.document_key = cells.document_key
            and instances.statement = cells.statement
            and instances.row_key = cells.row_key
            and rules.part_measure = cells.measure

)

select
    terms.document_key,
    to_process.document_sha256,
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
    -- the cell's amount, rounding and where it was printed (int_identity_terms: terms that are
    -- cells carry them)
    terms.amount,
    terms.rounding,
    terms.source_line,
    terms.page
from terms
inner join to_process on terms.document_key = to_process.document_key
