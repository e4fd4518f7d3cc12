{{ incremental_by_document() }}

-- The facts only the narrative states, checked against the tables and against each other:
-- a total it states for a table line equals that line (the line a stated item names:
-- stg_vocabulary__narrative_lines), the 三公 amounts equal T9 and the whole table's 决算 equals
-- T5 (stg_vocabulary__narrative_fact_lines), each 项's 决算 equals its T5 line (by code, or by its
-- 款 and 项 names), and a stated total equals the sum of the parts it states
-- (stg_vocabulary__narrative_fact_rules, kind sum; parts from the same sentence).

with

to_process as (

    {{ documents_to_process() }}

),

facts as (

    select facts.*
    from {{ ref('stg_raw__narrative_facts') }} as facts
    inner join to_process on facts.document_key = to_process.document_key

),

change_figures as (

    select
        document_key,
        source_line,
        amount
    from {{ ref('stg_raw__narrative') }}

),

lines as (

    select * from {{ ref('stg_vocabulary__narrative_lines') }}

),

fact_lines as (

    select * from {{ ref('stg_vocabulary__narrative_fact_lines') }}

),

rules as (

    select * from {{ ref('stg_vocabulary__narrative_fact_rules') }}
    where kind = 'sum'

),

cells as (

    select measured.*
    from {{ ref('int_cells__measured') }} as measured
    inner join to_process on measured.document_key = to_process.document_key

),

-- a stated table total already compared through its change sentence, or read again by a more
-- specific topic in the same sentence, is not compared twice
table_line_facts as (

    select facts.*
    from facts
    where
        facts.topic = 'table_line'
        and not exists (
            select 1 from change_figures
            where
                change_figures.document_key = facts.document_key
                and change_figures.source_line = facts.source_line
                and change_figures.amount = facts.value
        )
        and not exists (
            select 1 from facts as other
            where
                other.document_key = facts.document_key
                and other.topic <> 'table_line'
                and other.sentence = facts.sentence
                and other.value = facts.value
        )

),

t5_items as (

    select
        item_line.document_key,
        item_line.row_key,
        {{ normalize_label('item_line.line_label') }} as item_name,
        {{ normalize_label('section_line.line_label') }} as section_name
    from cells as item_line
    left join cells as section_line
        on
            item_line.document_key = section_line.document_key
            and section_line.statement = 'T5'
            and section_line.measure = 'total_expenditure'
            and section_line.row_key = left(item_line.row_key, 5)
    where
        item_line.statement = 'T5'
        and item_line.measure = 'total_expenditure'
        and length(item_line.row_key) = 7
        -- a 项 the 政府性基金 table (T7) prints too may be the one a fund section's sentence means
        and not exists (
            select 1 from cells as fund_line
            where
                fund_line.document_key = item_line.document_key
                and fund_line.statement = 'T7'
                and fund_line.row_key = item_line.row_key
        )

),

stated as (

    select
        table_line_facts.*,
        lines.statement,
        lines.row_key,
        lines.measure as table_measure,
        '叙述合计 = 表内合计' as identity_template
    from table_line_facts
    inner join lines on table_line_facts.item = lines.topic
    union all
    select
        facts.*,
        fact_lines.statement,
        fact_lines.row_key,
        fact_lines.table_measure,
        case
            when fact_lines.statement = 'T9' then '叙述三公 = T9'
            when facts.topic = 'item_budget' then '叙述项决算 = T5 项'
            else '叙述合计 = 表内合计'
        end
    from facts
    inner join fact_lines
        on
            facts.topic = fact_lines.topic
            and facts.item = fact_lines.item
            and facts.measure = fact_lines.measure
    union all
    select
        facts.*,
        'T5',
        t5_items.row_key,
        'total_expenditure',
        '叙述项决算 = T5 项'
    from facts
    inner join t5_items
        on
            facts.document_key = t5_items.document_key
            and (
                facts.item = t5_items.row_key
                or (
                    split_part(facts.item, '/', 3) = t5_items.item_name
                    and split_part(facts.item, '/', 2) = t5_items.section_name
                )
            )
    where facts.topic = 'item_budget' and facts.measure = 'final_amount'
    -- a name two 项 share is not compared
    qualify count(*) over (partition by facts.document_key, facts.sentence, facts.item) = 1

),

against_tables as (

    select
        stated.*,
        cells.amount as table_amount,
        stated.identity_template || ' | ' || stated.topic || '/' || stated.item || ' ' || stated.measure
        || ' ' || stated.sentence || ' ' || stated.source_line as identity_key,
        -- named as an analyst reads it: "财政拨款收入支出总计 0.3 ≠ T4 总计 2,961.68 (…)"; the sign
        -- follows the rounding rule of int_identity_results (two printed terms: 0.005)
        stated.item || ' ' || stated.value_text
        || case when abs(stated.value - cells.amount) <= 0.005 then ' = ' else ' ≠ ' end
        || stated.statement || ' ' || stated.row_key || ' ' || format('{:,.2f}', cells.amount)
        || ' (narrative' || coalesce(' page ' || stated.page, '') || ' line ' || stated.source_line
        || '; ' || stated.table_measure || ')' as identity
    from stated
    inner join cells
        on
            stated.document_key = cells.document_key
            and stated.statement = cells.statement
            and stated.row_key = cells.row_key
            and stated.table_measure = cells.measure

),

wholes as (

    select
        rules.identity_template,
        facts.*
    from rules
    inner join facts
        on rules.topic = facts.topic and rules.measure = facts.measure and facts.item like rules.item
    where rules.role = 'whole'

),

parts as (

    select
        rules.identity_template,
        rules.item as rule_item,
        facts.*
    from rules
    inner join facts
        on rules.topic = facts.topic and rules.measure = facts.measure and facts.item like rules.item
    where rules.role = 'part'

),

part_rules as (

    select
        identity_template,
        count(*) as parts_required
    from rules
    where role = 'part'
    group by identity_template

),

-- only when every part the rule names is stated in the whole's sentence
summed as (

    select
        wholes.identity_template,
        wholes.document_key,
        wholes.sentence,
        wholes.topic || '/' || wholes.item as whole_key,
        wholes.measure,
        wholes.value as whole_value
    from wholes
    inner join part_rules on wholes.identity_template = part_rules.identity_template
    inner join parts
        on
            wholes.identity_template = parts.identity_template
            and wholes.document_key = parts.document_key
            and wholes.sentence = parts.sentence
    group by all
    having count(distinct parts.rule_item) = any_value(part_rules.parts_required)

),

sum_terms as (

    select
        summed.document_key,
        summed.identity_template,
        summed.identity_template || ' | sentence ' || summed.sentence as identity_key,
        summed.identity_template || ' (narrative sentence ' || summed.sentence || ')' as identity,
        'left' as side,
        'narrative' as statement,
        summed.whole_key as row_key,
        summed.measure,
        summed.whole_value as amount
    from summed
    union all
    select
        summed.document_key,
        summed.identity_template,
        summed.identity_template || ' | sentence ' || summed.sentence,
        summed.identity_template || ' (narrative sentence ' || summed.sentence || ')',
        'right',
        'narrative',
        parts.topic || '/' || parts.item,
        parts.measure,
        parts.value
    from summed
    inner join parts
        on
            summed.identity_template = parts.identity_template
            and summed.document_key = parts.document_key
            and summed.sentence = parts.sentence

),

table_terms as (

    select
        document_key,
        identity_template,
        identity_key,
        identity,
        'left' as side,
        'narrative' as statement,
        topic || '/' || item as row_key,
        measure,
        value as amount
    from against_tables
    union all
    select
        document_key,
        identity_template,
        identity_key,
        identity,
        'right',
        statement,
        row_key,
        table_measure,
        table_amount
    from against_tables

),

all_terms as (

    select * from table_terms
    union all
    select * from sum_terms

)

select
    all_terms.document_key,
    to_process.document_sha256,
    all_terms.identity_template,
    all_terms.identity_key,
    all_terms.identity,
    all_terms.side,
    1 as sign,
    all_terms.statement,
    all_terms.row_key,
    all_terms.measure,
    all_terms.amount
from all_terms
inner join to_process on all_terms.document_key = to_process.document_key
