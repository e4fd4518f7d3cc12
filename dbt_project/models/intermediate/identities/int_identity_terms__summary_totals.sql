-- Totals of the summary tables T1 and T4, by the roles of their printed lines
-- (stg_vocabulary__summary_lines). Identities marked per column hold in each T4 fund column.

with

lines as (

    select * from {{ ref('int_identity_cells') }}
    where statement in ('T1', 'T4') and line_role is not null

),

specs as (

    select * from (
        values
        ('T1 本年收入合计 = Σ 收入行', 'left', '收入', 'current_total', null, 1, false),
        ('T1 本年收入合计 = Σ 收入行', 'right', '收入', 'income_line', null, 1, false),
        ('T1 本年支出合计 = Σ 类行', 'left', '支出', 'current_total', null, 1, false),
        ('T1 本年支出合计 = Σ 类行', 'right', '支出', 'class_line', null, 1, false),
        ('T1 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余', 'left', '收入', 'grand_total', null, 1, false),
        ('T1 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余', 'right', '收入', 'current_total', null, 1, false),
        ('T1 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余', 'right', '收入', 'non_fiscal_balance_used', null, 1, false),
        ('T1 收入总计 = 本年收入合计 + 使用非财政拨款结余 + 年初结转和结余', 'right', '收入', 'opening_balance', null, 1, false),
        ('T1 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余', 'left', '支出', 'grand_total', null, 1, false),
        ('T1 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余', 'right', '支出', 'current_total', null, 1, false),
        ('T1 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余', 'right', '支出', 'balance_allocation', null, 1, false),
        ('T1 支出总计 = 本年支出合计 + 结余分配 + 年末结转和结余', 'right', '支出', 'closing_balance', null, 1, false),
        ('T1 收入总计 = 支出总计', 'left', '收入', 'grand_total', null, 1, false),
        ('T1 收入总计 = 支出总计', 'right', '支出', 'grand_total', null, 1, false),
        ('T4 本年收入合计 = Σ 财政拨款收入行', 'left', '收入', 'current_total', null, 1, false),
        ('T4 本年收入合计 = Σ 财政拨款收入行', 'right', '收入', 'appropriation_line', null, 1, false),
        ('T4 本年支出合计 = Σ 类行', 'left', '支出', 'current_total', null, 1, true),
        ('T4 本年支出合计 = Σ 类行', 'right', '支出', 'class_line', null, 1, true),
        ('T4 年初结转和结余 = Σ 分项', 'left', '收入', 'opening_balance', null, 1, false),
        ('T4 年初结转和结余 = Σ 分项', 'right', '收入', 'opening_sub_line', null, 1, false),
        ('T4 收入总计 = 本年收入合计 + 年初结转和结余', 'left', '收入', 'grand_total', null, 1, false),
        ('T4 收入总计 = 本年收入合计 + 年初结转和结余', 'right', '收入', 'current_total', null, 1, false),
        ('T4 收入总计 = 本年收入合计 + 年初结转和结余', 'right', '收入', 'opening_balance', null, 1, false),
        ('T4 支出总计 = 本年支出合计 + 年末结转和结余', 'left', '支出', 'grand_total', null, 1, true),
        ('T4 支出总计 = 本年支出合计 + 年末结转和结余', 'right', '支出', 'current_total', null, 1, true),
        ('T4 支出总计 = 本年支出合计 + 年末结转和结余', 'right', '支出', 'closing_balance', null, 1, true),
        ('T4 收入总计 = 支出总计', 'left', '收入', 'grand_total', null, 1, false),
        ('T4 收入总计 = 支出总计', 'right', '支出', 'grand_total', 'expenditure_total', 1, false)
    ) as spec (identity_template, side, line_side, line_role, only_measure, sign, per_column)  -- noqa: AL05

),

terms as (

    select
        lines.document_key,
        specs.identity_template,
        specs.side,
        specs.sign,
        lines.statement,
        lines.row_key,
        lines.measure,
        lines.amount,
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

    -- an identity needs its printed left-hand line
    select distinct
        document_key,
        identity_template,
        column_key
    from terms
    where side = 'left'

)

select
    terms.document_key,
    terms.identity_template,
    terms.identity_template || ' | ' || terms.column_key as identity_key,
    terms.identity_template || case when terms.column_key = '' then '' else ' [' || terms.column_key || ']' end
        as identity,
    terms.side,
    terms.sign,
    terms.statement,
    terms.row_key,
    terms.measure,
    terms.amount
from terms
inner join evaluable
    on
        terms.document_key = evaluable.document_key
        and terms.identity_template = evaluable.identity_template
        and terms.column_key = evaluable.column_key
