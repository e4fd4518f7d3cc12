-- Budget against final: what a department planned for a fiscal year beside what it spent, per
-- statement, row (functional or economic code, or summary line) and measure, with the
-- execution rate (执行率 = final / budget).
--
-- A budget amount has one of three sources, each a CTE below, so a new one is one more union:
--   budget_document              the department's 部门预算 of that year (phase 'budget')
--   final_document_budget_column a column the final itself prints as 预算数 (T9's 预算数)
--   final_document_narrative     the final's narrative: "比年初预算数增加 X" (amount − change vs
--                                budget) and, with var narrative_item_budgets, each 项's 年初预算
--                                from marts.fct_narrative_facts (the narrative-facts branch)
-- The final amount comes from the department's 部门决算 of that year. Documents meet by the
-- conformed department key (int_documents__conformed) and fiscal year. Only published (or
-- accepted) documents' cells take part.
--
-- Kept by department-year: a build recomputes the department-years whose inputs changed
-- (int_department_years.inputs_version) and drops those no longer held.
{{ config(
    materialized='incremental', unique_key=['department_key', 'fiscal_year'],
    incremental_strategy='delete+insert', on_schema_change='sync_all_columns',
    post_hook="delete from {{ this }} as held where not exists (
        select 1 from {{ ref('int_department_years') }} as current_years
        where
            current_years.department_key = held.department_key
            and current_years.fiscal_year = held.fiscal_year
            and current_years.inputs_version = held.inputs_version)"
) }}

with

years_to_process as (

    select years.*
    from {{ ref('int_department_years') }} as years
    {% if is_incremental() and 'inputs_version' in held_columns(this) -%}
        where not exists (
            select 1
            from (
                select distinct held_rows.department_key, held_rows.fiscal_year, held_rows.inputs_version
                from {{ this }} as held_rows
            ) as held
            where
                held.department_key = years.department_key
                and held.fiscal_year = years.fiscal_year
                and held.inputs_version = years.inputs_version
        )
    {%- endif %}

),

documents as (

    select
        conformed.*,
        years_to_process.inputs_version
    from {{ ref('int_documents__conformed') }} as conformed
    inner join years_to_process
        on
            conformed.department_key = years_to_process.department_key
            and conformed.fiscal_year = years_to_process.fiscal_year

),

cells as (

    select * from {{ ref('int_cells__published') }}

),

classes as (

    select * from {{ ref('stg_vocabulary__functional_classes') }}

),

narrative as (

    select * from {{ ref('stg_raw__narrative') }}

),

narrative_lines as (

    select * from {{ ref('stg_vocabulary__narrative_lines') }}

),

-- one shape for both phases: a measure stating 预算数 or 决算数 in its name (budget_… /
-- final_…, as in T9) is compared by what it measures, on the side its name says
shaped as (

    select
        documents.department_key,
        documents.department_name,
        documents.fiscal_year,
        documents.phase,
        cells.document_key,
        cells.statement,
        {{ normalize_label('cells.row_key') }} as row_key,
        cells.code,
        regexp_replace(cells.measure, '^(budget|final)_', '') as measure,
        case
            when starts_with(cells.measure, 'budget_') then 'budget'
            when starts_with(cells.measure, 'final_') then 'final'
            else documents.phase
        end as side,
        cells.amount
    from cells
    inner join documents on cells.document_key = documents.document_key
    where cells.measure is not null

),

budget_from_budget_document as (

    select
        department_key,
        fiscal_year,
        statement,
        row_key,
        code,
        measure,
        amount,
        document_key,
        'budget_document' as amount_source
    from shaped
    where phase = 'budget' and side = 'budget'

),

budget_from_final_columns as (

    select
        department_key,
        fiscal_year,
        statement,
        row_key,
        code,
        measure,
        amount,
        document_key,
        'final_document_budget_column' as amount_source
    from shaped
    where phase = 'final' and side = 'budget'

),

-- "…年初预算为 X 万元，支出决算为 Y 万元": the narrative states the final (amount) and its change
-- against the budget, so the budget is amount − change, exactly; the topic names the table line
-- (narrative_lines, the longest topic it ends with). Per-项 budgets from the narrative-facts mart
-- join here as one more union on the same columns.
budget_from_narrative as (

    select
        documents.department_key,
        documents.fiscal_year,
        narrative_lines.statement,
        {{ normalize_label('narrative_lines.row_key') }} as row_key,
        cast(null as varchar) as code,
        regexp_replace(narrative_lines.measure, '^(budget|final)_', '') as measure,
        cast(narrative.amount - narrative.change_amount as decimal(24, 6)) as amount,
        narrative.document_key,
        'final_document_narrative' as amount_source
    from narrative
    inner join documents on narrative.document_key = documents.document_key
    inner join {{ ref('int_document_status') }} as gate
        on
            narrative.document_key = gate.document_key
            and gate.status in ('published', 'accepted')
    inner join narrative_lines on ends_with(narrative.topic, narrative_lines.topic)
    where narrative.base = 'budget' and documents.phase = 'final'
    qualify row_number() over (
        partition by narrative.document_key, narrative.topic, narrative.source_line, narrative.amount
        order by length(narrative_lines.topic) desc
    ) = 1

),

{% if var('narrative_item_budgets', false) %}
-- "…项目年初预算为 X 万元，支出决算为 Y 万元": each 项's budget as the narrative-facts mart states
-- it (topic item_budget, measure budget_amount), placed on the final's 一般公共预算 table (T5)
-- by its code when printed, else by the path of its 类/款/项 names as that table prints them
    item_names as (

        select distinct
            cells.document_key,
            cells.code,
            {{ normalize_label('cells.row_label') }} as subject_name
        from cells
        where cells.statement = 'T5' and cells.code is not null

    ),

    item_paths as (

        select
            items.document_key,
            items.code,
            array_to_string(
                list(ancestors.subject_name order by length(ancestors.code)), '/'
            ) as name_path,
            -- the 类 and the subject's own name: a 款 printed under another name still meets its 项
            any_value(ancestors.subject_name) filter (where length(ancestors.code) = 3) as class_name,
            any_value(items.subject_name) as subject_name
        from item_names as items
        inner join item_names as ancestors
            on
                items.document_key = ancestors.document_key
                and starts_with(items.code, ancestors.code)
        group by items.document_key, items.code

    ),

    budget_from_narrative_items as (

        select
            documents.department_key,
            documents.fiscal_year,
            'T5' as statement,
            coalesce(item_paths.code, {{ normalize_label('facts.item') }}) as row_key,
            item_paths.code,
            'total_expenditure' as measure,
            cast(facts.value as decimal(24, 6)) as amount,
            facts.document_key,
            'final_document_narrative' as amount_source
        from {{ ref('fct_narrative_facts') }} as facts
        inner join documents on facts.document_key = documents.document_key
        left join item_paths
            on
                facts.document_key = item_paths.document_key
                and (
                    facts.item = item_paths.code
                    or {{ normalize_label('facts.item') }} = item_paths.name_path
                    or (
                        split_part({{ normalize_label('facts.item') }}, '/', 1) = item_paths.class_name
                        and regexp_extract({{ normalize_label('facts.item') }}, '[^/]+$') = item_paths.subject_name
                        and length(item_paths.code) = 7
                    )
                )
        where
            facts.topic = 'item_budget'
            and facts.measure = 'budget_amount'
            and documents.phase = 'final'
            and (item_paths.code is not null or {{ normalize_label('facts.item') }} = '合计')
        -- the code, then the whole name path, then the 类 and 项 names; a name shared by two 项 of
        -- one 类 places the figure nowhere rather than on a guess
        qualify
            count(*) over (partition by facts.document_key, facts.item, facts.source_line) = 1
            or facts.item = item_paths.code
            or {{ normalize_label('facts.item') }} = item_paths.name_path

    ),
{% endif %}

budget_side as (

    select * from budget_from_budget_document
    union all
    select * from budget_from_final_columns
    union all
    -- a narrative sentence repeated in two sections states one budget, not two
    select distinct * from budget_from_narrative
    {% if var('narrative_item_budgets', false) -%}
        union all
        select distinct * from budget_from_narrative_items
    {%- endif %}

),

final_side as (

    select
        department_key,
        fiscal_year,
        statement,
        row_key,
        code,
        measure,
        amount,
        document_key,
        'final_document' as amount_source
    from shaped
    where phase = 'final' and side = 'final'

),

-- a final that prints a table but leaves a cell blank spent nothing there (blank = zero, not
-- printed): its budgets stand beside a final of 0, not beside nothing
final_tables as (

    select distinct
        department_key,
        fiscal_year,
        statement,
        document_key
    from shaped
    where phase = 'final'

),

compared as (

    select
        coalesce(budget_side.department_key, final_side.department_key) as department_key,
        coalesce(budget_side.fiscal_year, final_side.fiscal_year) as fiscal_year,
        coalesce(budget_side.statement, final_side.statement) as statement,
        coalesce(budget_side.row_key, final_side.row_key) as row_key,
        coalesce(budget_side.code, final_side.code) as code,
        coalesce(budget_side.measure, final_side.measure) as measure,
        budget_side.amount as budget_amount,
        budget_side.amount_source as budget_source,
        budget_side.document_key as budget_document_key,
        case
            when final_side.document_key is not null then final_side.amount
            when final_tables.document_key is not null then 0
        end as final_amount,
        case
            when final_side.document_key is not null then final_side.amount_source
            when final_tables.document_key is not null then 'final_document_blank'
        end as final_source,
        coalesce(final_side.document_key, final_tables.document_key) as final_document_key
    -- the finals first: DuckDB builds a full join's hash table on its right side, and the
    -- budgets are the fewer (every final cell against the budgets' lines; the other way round
    -- the 9.4 million final cells of 10,000 documents spilled 4 GB and took twice as long)
    from final_side
    full outer join budget_side
        on
            final_side.department_key = budget_side.department_key
            and final_side.fiscal_year = budget_side.fiscal_year
            and final_side.statement = budget_side.statement
            and final_side.row_key = budget_side.row_key
            and final_side.measure = budget_side.measure
    left join final_tables
        on
            final_side.document_key is null
            and budget_side.department_key = final_tables.department_key
            and budget_side.fiscal_year = final_tables.fiscal_year
            and budget_side.statement = final_tables.statement

),

departments as (

    select * from {{ ref('dim_department') }}

)

select
    compared.department_key,
    departments.department_name,
    compared.fiscal_year,
    compared.statement,
    compared.row_key,
    -- a code whose 类 is a functional class is functional; other codes (301…, 302…) economic
    case when classes.class_code is not null then compared.code end as functional_code,
    case when compared.code is not null and classes.class_code is null then compared.code end as economic_code,
    compared.measure,
    compared.budget_amount,
    compared.final_amount,
    compared.final_amount - compared.budget_amount as difference,
    cast(compared.final_amount / nullif(compared.budget_amount, 0) as decimal(18, 6)) as execution_rate,
    compared.budget_source,
    compared.budget_document_key,
    compared.final_source,
    compared.final_document_key,
    years_to_process.inputs_version
from compared
inner join departments on compared.department_key = departments.department_key
inner join years_to_process
    on
        compared.department_key = years_to_process.department_key
        and compared.fiscal_year = years_to_process.fiscal_year
left join classes on left(compared.code, 3) = classes.class_code
