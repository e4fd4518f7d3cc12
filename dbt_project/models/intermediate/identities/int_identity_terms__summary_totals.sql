{{ incremental_by_document() }}

-- Totals of the summary tables T1 and T4, by the roles of their printed lines
-- (stg_vocabulary__summary_lines). The terms of each identity are data
-- (stg_vocabulary__summary_identity_terms); identities marked per column hold in each column
-- (T4's fund columns, a budget T1's 合计 / 基本 / 项目 columns).

with

to_process as (

    {{ documents_to_process() }}

),

lines as (

    select identity_cells.*
    from {{ ref('int_identity_cells') }} as identity_cells
    inner join to_process on identity_cells.document_key = to_process.document_key
    where identity_cells.statement in ('T1', 'T4') and identity_cells.line_role is not null

),

specs as (

    select * from {{ ref('stg_vocabulary__summary_identity_terms') }}

),

required_terms as (

    -- how many distinct printed lines an identity needs before it can be judged
    select
        identity_template,
        count(distinct side || line_side || line_role) as required_count
    from specs
    where required and side in ('left', 'right')
    group by identity_template

),

terms as (

    select
        lines.document_key,
        specs.identity_template,
        specs.side,
        specs.sign,
        specs.required,
        specs.line_side,
        specs.line_role,
        lines.statement,
        lines.row_key,
        lines.measure,
        lines.amount,
        lines.rounding,
        lines.source_line,
        lines.page,
        case when specs.per_column then lines.measure else '' end as column_key
    from lines
    inner join specs
        on
            left(specs.identity_template, 2) = lines.statement
            and lines.side = specs.line_side
            and lines.line_role = specs.line_role
            and (specs.only_measure is null or lines.measure = specs.only_measure)

),

evaluable as (

    -- an identity needs every line it requires (its left-hand line at least), and none of the
    -- lines whose presence hands the check to another identity (side 'absent': a document
    -- that prints 本年收入合计 is judged through it, one that does not by its lines)
    select
        terms.document_key,
        terms.identity_template,
        terms.column_key
    from terms
    inner join required_terms on terms.identity_template = required_terms.identity_template
    group by terms.document_key, terms.identity_template, terms.column_key, required_terms.required_count
    having
        count(distinct case
            when terms.required and terms.side in ('left', 'right')
                then terms.side || terms.line_side || terms.line_role
        end) = required_terms.required_count
        and not bool_or(terms.side = 'absent')
        -- per column: a column whose parts are all printed in another column of that side is
        -- not their total (a 收支预算总表 printing 功能分类 and 支出用途 blocks side by side has
        -- its 当年支出小计 in the 支出用途 column; its class lines are judged against the use lines)
        and (
            bool_or(terms.side = 'right')
            or not exists (
                select 1 from terms as elsewhere
                where
                    elsewhere.document_key = terms.document_key
                    and elsewhere.identity_template = terms.identity_template
                    and elsewhere.side = 'right'
                    and elsewhere.column_key <> terms.column_key
            )
        )

)

select
    terms.document_key,
    to_process.document_sha256,
    terms.identity_template,
    terms.identity_template || ' | ' || terms.column_key as identity_key,
    terms.identity_template || case when terms.column_key = '' then '' else ' [' || terms.column_key || ']' end
        as identity,
    terms.side,
    terms.sign,
    terms.statement,
    terms.row_key,
    terms.measure,
    terms.amount,
    -- the line's rounding and where it was printed (int_identity_terms: terms that are cells carry them)
    terms.rounding,
    terms.source_line,
    terms.page
from terms
inner join to_process on terms.document_key = to_process.document_key
inner join evaluable
    on
        terms.document_key = evaluable.document_key
        and terms.identity_template = evaluable.identity_template
        and terms.column_key = evaluable.column_key
where terms.side in ('left', 'right')
