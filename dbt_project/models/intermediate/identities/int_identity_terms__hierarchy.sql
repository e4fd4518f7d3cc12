{{ incremental_by_document() }}

-- Code hierarchy, per column: 合计 = Σ 类, 类 = Σ 款, 款 = Σ 项 (T2, T3, T5, T7, T8; T6 类 = Σ 款),
-- and T6: 人员经费合计 + 公用经费合计 = Σ 类. A parent is checked only when its children are printed
-- (合计 only in a table that prints codes).

with

to_process as (

    {{ documents_to_process() }}

),

cells as (

    select identity_cells.*
    from {{ ref('int_identity_cells') }} as identity_cells
    inner join to_process on identity_cells.document_key = to_process.document_key
    where identity_cells.statement in ('T2', 'T3', 'T5', 'T6', 'T7', 'T8')

),

coded_rows as (

    -- each coded row under the code of its parent: 类 (3 digits) under the table's 合计 (''),
    -- 款 (5) under its 类, 项 (7) under its 款; joined by equality, linear in the cells
    select distinct
        document_key,
        statement,
        code,
        case
            when length(code) = 3 then ''
            when length(code) > 3 then left(code, length(code) - 2)
        end as parent_prefix
    from cells
    where code is not null

),

parents as (

    select
        document_key,
        statement,
        row_key,
        code,
        measure,
        amount,
        rounding,
        source_line,
        page,
        coalesce(code, '') as parent_prefix,
        case length(code)
            when 3 then '类 = Σ 款'
            when 5 then '款 = Σ 项'
            else '合计 = Σ 类'
        end as identity_template
    from cells
    where statement <> 'T6' or code is not null

),

parent_terms as (

    -- each parent that has children printed (its own row is the left side)
    select
        parents.document_key,
        parents.identity_template,
        parents.statement,
        parents.row_key as parent_key,
        parents.measure,
        parents.parent_prefix,
        parents.amount,
        parents.rounding,
        parents.source_line,
        parents.page
    from parents
    where exists (
        select 1 from coded_rows
        where
            coded_rows.document_key = parents.document_key
            and coded_rows.statement = parents.statement
            and coded_rows.parent_prefix = parents.parent_prefix
    )
    -- 合计 = Σ 类 where the table prints codes at all (a table of one 合计 row, or of income by
    -- source, has no hierarchy; one that lost its 类 rows but prints 款 rows is still judged)
    or (parents.code is null and exists (
        select 1 from coded_rows
        where
            coded_rows.document_key = parents.document_key
            and coded_rows.statement = parents.statement
    ))

),

child_terms as (

    -- a parent's children: the coded rows under its code. Joined on the code itself, so each
    -- parent meets only its own children (joined on the table alone, 1,000 documents gave 18
    -- million pairs to filter, and the model took 146 s of a 10,000-document build). A child
    -- that leaves the parent's column blank is a term without an amount (left join).
    select
        parent_terms.document_key,
        parent_terms.identity_template,
        parent_terms.statement,
        parent_terms.parent_key,
        parent_terms.measure,
        'right' as side,
        coded_rows.code as row_key,
        parent_terms.measure as cell_measure,
        cells.amount,
        cells.rounding,
        cells.source_line,
        cells.page
    from parent_terms
    inner join coded_rows
        on
            parent_terms.document_key = coded_rows.document_key
            and parent_terms.statement = coded_rows.statement
            and parent_terms.parent_prefix = coded_rows.parent_prefix
    left join cells
        on
            coded_rows.document_key = cells.document_key
            and coded_rows.statement = cells.statement
            and coded_rows.code = cells.row_key
            and parent_terms.measure = cells.measure

),

t6_totals as (

    select
        document_key,
        'T6 人员经费合计 + 公用经费合计 = Σ 类' as identity_template,
        statement,
        'T6' as parent_key,
        '' as measure,
        case when code is null then 'left' else 'right' end as side,
        row_key,
        measure as cell_measure,
        amount,
        rounding,
        source_line,
        page
    from cells
    where statement = 'T6' and (code is null or length(code) = 3)

),

terms as (

    select
        document_key,
        identity_template,
        statement,
        parent_key,
        measure,
        'left' as side,
        parent_key as row_key,
        measure as cell_measure,
        amount,
        rounding,
        source_line,
        page
    from parent_terms
    union all
    select * from child_terms
    union all
    select * from t6_totals

)

select
    terms.document_key,
    to_process.document_sha256,
    terms.identity_template,
    terms.identity_template || ' | ' || terms.statement || ' ' || terms.parent_key || ' ' || terms.measure
        as identity_key,
    terms.statement || ' ' || terms.parent_key || ' ' || terms.measure || ': ' || terms.identity_template
        as identity,
    terms.side,
    1 as sign,
    terms.statement,
    terms.row_key,
    terms.cell_measure as measure,
    -- the cell's amount, rounding and where it was printed (int_identity_terms: terms that are
    -- cells carry them): a parent and a T6 total are cells themselves, so only the children
    -- are looked up
    terms.amount,
    terms.rounding,
    terms.source_line,
    terms.page
from terms
inner join to_process on terms.document_key = to_process.document_key
