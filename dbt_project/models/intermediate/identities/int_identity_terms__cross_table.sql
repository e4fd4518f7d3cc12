{{ incremental_by_document() }}

-- Agreements between tables: T1 with T2 and T3, T4 with T5, T7, T8 and T2, T5 with T6.
-- A class printed on one side only is compared with zero on the other. An agreement is judged
-- only where both tables print the kind of figure it compares: a table that prints no 类 rows
-- (a budget's 支出预算总表 of one 合计 row), no class lines (a T4 split by use only) or not the
-- column (a T2 without a 财政拨款收入 column, a T5 without 基本支出) leaves it not applicable.

with

to_process as (

    {{ documents_to_process() }}

),

cells as (

    select identity_cells.*
    from {{ ref('int_identity_cells') }} as identity_cells
    inner join to_process on identity_cells.document_key = to_process.document_key

),

documents as (

    select distinct
        document_key,
        statement
    from cells

),

t1_lines as (

    select * from cells
    where statement = 'T1'

),

t4_lines as (

    select * from cells
    where statement = 'T4'

),

first_rows as (

    -- the 合计 row of the functional tables: the first row without a code (a table that lists
    -- its income by source, 收入总计 then 小计 and lines, has more than one codeless row)
    select
        measured.document_key,
        measured.statement,
        measured.measure,
        arg_min(measured.row_key, measured.row_index) as row_key
    from {{ ref('int_cells__measured') }} as measured
    inner join to_process on measured.document_key = to_process.document_key
    where
        measured.statement in ('T2', 'T3', 'T5', 'T7', 'T8') and measured.code is null
        and measured.measure is not null and measured.row_key is not null
    group by measured.document_key, measured.statement, measured.measure

),

totals as (

    select cells.* from cells
    inner join first_rows
        on
            cells.document_key = first_rows.document_key
            and cells.statement = first_rows.statement
            and cells.measure = first_rows.measure
            and cells.row_key = first_rows.row_key

),

class_rows as (

    select * from cells
    where statement in ('T3', 'T5', 'T7', 'T8') and length(code) = 3

),

t4_columns as (

    select * from (
        values
        ('expenditure_general_budget', 'T5', 'total_expenditure', 'T4 一般公共预算 = T5'),
        ('expenditure_government_fund', 'T7', 'expenditure_subtotal', 'T4 政府性基金 = T7 本年支出'),
        ('expenditure_state_capital', 'T8', 'expenditure_subtotal', 'T4 国有资本经营 = T8')
    ) as c (t4_measure, statement, measure, identity_template)  -- noqa: AL05

),

total_pairs as (

    -- single-cell totals: (template, left statement/role/measure, right statement/measure)
    select
        t1_lines.document_key,
        'T1 本年收入合计 = T2 合计' as identity_template,
        '' as column_key,
        t1_lines.row_key as left_row_key,
        t1_lines.measure as left_measure,
        t1_lines.amount as left_amount,
        'T1' as left_statement,
        'T2' as right_statement,
        'total_income' as right_measure
    from t1_lines
    where t1_lines.side = '收入' and t1_lines.line_role = 'current_total'
    union all
    select
        document_key,
        'T1 本年支出合计 = T3 合计',
        '',
        row_key,
        measure,
        amount,
        'T1',
        'T3',
        'total_expenditure'
    from t1_lines
    where side = '支出' and line_role = 'current_total'
    union all
    select
        document_key,
        'T4 本年收入合计 = T2 财政拨款收入',
        '',
        row_key,
        measure,
        amount,
        'T4',
        'T2',
        'fiscal_appropriation_income'
    from t4_lines
    where side = '收入' and line_role = 'current_total'
    union all
    select
        t4_lines.document_key,
        t4_columns.identity_template,
        '合计',
        t4_lines.row_key,
        t4_lines.measure,
        t4_lines.amount,
        'T4',
        t4_columns.statement,
        t4_columns.measure
    from t4_lines
    inner join t4_columns on t4_lines.measure = t4_columns.t4_measure
    where t4_lines.side = '支出' and t4_lines.line_role = 'current_total'

),

total_terms as (

    select
        document_key,
        identity_template,
        column_key,
        'left' as side,
        left_statement as statement,
        left_row_key as row_key,
        left_measure as measure,
        left_amount as amount,
        right_statement as other_statement,
        'line' as kind
    from total_pairs
    union all
    select
        total_pairs.document_key,
        total_pairs.identity_template,
        total_pairs.column_key,
        'right',
        total_pairs.right_statement,
        coalesce(totals.row_key, '合计'),
        total_pairs.right_measure,
        totals.amount,
        total_pairs.left_statement,
        'total'
    from total_pairs
    left join totals
        on
            total_pairs.document_key = totals.document_key
            and total_pairs.right_statement = totals.statement
            and total_pairs.right_measure = totals.measure

),

income_line_terms as (

    -- T1 income lines = T2 合计 columns (财政拨款 = 一 + 二 + 三)
    select
        document_key,
        'T1 收入行 = T2 合计各列' as identity_template,
        counterpart_measure as column_key,
        'right' as side,
        statement,
        row_key,
        measure,
        amount,
        'T2' as other_statement,
        'line' as kind
    from t1_lines
    where line_role = 'income_line'
    union all
    select
        t1.document_key,
        'T1 收入行 = T2 合计各列',
        t1.counterpart_measure,
        'left',
        'T2',
        coalesce(totals.row_key, '合计'),
        t1.counterpart_measure,
        totals.amount,
        'T1',
        'total'
    from (select distinct
        document_key,
        counterpart_measure
    from t1_lines
    where line_role = 'income_line') as t1
    left join totals
        on
            t1.document_key = totals.document_key
            and totals.statement = 'T2'
            and t1.counterpart_measure = totals.measure

),

class_pairs as (

    -- per 类: T1 class line vs T3 类 row; T4 fund column class line vs T5 / T7 / T8 类 row
    select
        document_key,
        'T1 类行 = T3 类' as identity_template,
        'T1' as left_statement,
        'expenditure_amount' as left_measure,
        'T3' as right_statement,
        'total_expenditure' as right_measure,
        class_code
    from t1_lines
    where line_role = 'class_line'
    union
    select
        document_key,
        'T1 类行 = T3 类',
        'T1',
        'expenditure_amount',
        'T3',
        'total_expenditure',
        code
    from class_rows
    where statement = 'T3' and measure = 'total_expenditure'
    union
    select
        t4_lines.document_key,
        t4_columns.identity_template,
        'T4',
        t4_columns.t4_measure,
        t4_columns.statement,
        t4_columns.measure,
        t4_lines.class_code
    from t4_lines
    inner join t4_columns on t4_lines.measure = t4_columns.t4_measure
    where t4_lines.line_role = 'class_line'
    union
    select
        class_rows.document_key,
        t4_columns.identity_template,
        'T4',
        t4_columns.t4_measure,
        t4_columns.statement,
        t4_columns.measure,
        class_rows.code
    from class_rows
    inner join t4_columns
        on
            class_rows.statement = t4_columns.statement
            and class_rows.measure = t4_columns.measure

),

class_terms as (

    select
        class_pairs.document_key,
        class_pairs.identity_template,
        class_pairs.class_code as column_key,
        'left' as side,
        class_pairs.left_statement as statement,
        coalesce(summary_line.row_key, classes.class_name) as row_key,
        class_pairs.left_measure as measure,
        summary_line.amount,
        class_pairs.right_statement as other_statement,
        'class' as kind
    from class_pairs
    left join cells as summary_line
        on
            class_pairs.document_key = summary_line.document_key
            and class_pairs.left_statement = summary_line.statement
            and class_pairs.left_measure = summary_line.measure
            and class_pairs.class_code = summary_line.class_code
    left join {{ ref('stg_vocabulary__functional_classes') }} as classes
        on class_pairs.class_code = classes.class_code
    union all
    select
        class_pairs.document_key,
        class_pairs.identity_template,
        class_pairs.class_code,
        'right',
        class_pairs.right_statement,
        class_pairs.class_code,
        class_pairs.right_measure,
        class_rows.amount,
        class_pairs.left_statement,
        'class'
    from class_pairs
    left join class_rows
        on
            class_pairs.document_key = class_rows.document_key
            and class_pairs.right_statement = class_rows.statement
            and class_pairs.right_measure = class_rows.measure
            and class_pairs.class_code = class_rows.code

),

basic_terms as (

    -- T5 合计.基本支出 = T6 人员经费合计 + 公用经费合计
    select
        document_key,
        'T5 合计.基本支出 = T6 人员经费合计 + 公用经费合计' as identity_template,
        '' as column_key,
        'left' as side,
        statement,
        row_key,
        measure,
        amount,
        'T6' as other_statement,
        'total' as kind
    from totals
    where statement = 'T5' and measure = 'basic_expenditure'
    union all
    select
        document_key,
        'T5 合计.基本支出 = T6 人员经费合计 + 公用经费合计',
        '',
        'right',
        statement,
        row_key,
        measure,
        amount,
        'T5',
        'any'
    from cells
    where statement = 'T6' and code is null
    -- like with like: a budget prints one 合计 row with 合计 | 人员经费 | 公用经费 columns, a final
    -- a 人员经费合计 and a 公用经费合计 row; the parts are the terms, a total beside them is not
    qualify not (
        measure = 'economic_amount'
        and count(*) filter (
            where measure in ('personnel_amount', 'public_amount')
        ) over (partition by document_key, row_key) > 0
    )

),

printed_kinds as (

    -- what each table prints, per column: totals (rows without a code), 类 rows and class lines
    select distinct
        document_key,
        statement,
        measure,
        'total' as kind
    from totals
    union
    select distinct
        document_key,
        statement,
        measure,
        'class'
    from class_rows
    union
    select distinct
        document_key,
        statement,
        measure,
        'class'
    from cells
    where statement in ('T1', 'T4') and line_role = 'class_line'
    union
    select distinct
        document_key,
        statement,
        measure,
        'line'
    from cells
    where statement in ('T1', 'T4')

),

terms as (

    select * from total_terms
    union all
    select * from income_line_terms
    union all
    select * from class_terms
    union all
    select * from basic_terms

),

judged_here as (

    -- an agreement needs both sides, each in a kind of figure its table prints
    select
        terms.document_key,
        terms.identity_template,
        terms.column_key
    from terms
    left join printed_kinds
        on
            terms.document_key = printed_kinds.document_key
            and terms.statement = printed_kinds.statement
            and terms.measure = printed_kinds.measure
            and terms.kind = printed_kinds.kind
    group by terms.document_key, terms.identity_template, terms.column_key
    having count(distinct case when terms.kind = 'any' or printed_kinds.kind is not null then terms.side end) = 2

)

-- both tables of an agreement must be in the document; otherwise it is not applicable
select
    terms.document_key,
    to_process.document_sha256,
    terms.identity_template,
    terms.identity_template || ' | ' || terms.column_key as identity_key,
    terms.identity_template || case when terms.column_key = '' then '' else ' [' || terms.column_key || ']' end
        as identity,
    terms.side,
    1 as sign,
    terms.statement,
    terms.row_key,
    terms.measure,
    terms.amount
from terms
inner join to_process on terms.document_key = to_process.document_key
inner join judged_here
    on
        terms.document_key = judged_here.document_key
        and terms.identity_template = judged_here.identity_template
        and terms.column_key = judged_here.column_key
-- semi-joins, not joins: as joins, the two tables' rows met every agreement of their document
-- first (1,000 documents: 5.3 million pairs for 139 thousand terms)
where
    exists (
        select 1 from documents as this_table
        where terms.document_key = this_table.document_key and terms.statement = this_table.statement
    )
    and exists (
        select 1 from documents as other_table
        where terms.document_key = other_table.document_key and terms.other_statement = other_table.statement
    )
