{{ incremental_by_document() }}

-- One row per identity instance per document: left, right, difference, the rounding tolerance
-- and status. Each printed term brings half a unit of its table's last digit (0.005 万元 for a
-- 万元 table, 0.00005 万元 for a table in whole 元): n parts summed into a printed total may
-- differ from it by the parts' rounding (n × 0.005 in one 万元 table); across tables, every
-- printed term of both sides counts, so a 元 table and a 万元 table each bring their own.
-- An identity whose tables the document lacks, or whose lines it does not print, is reported
-- once as not applicable.

with

to_process as (

    {{ documents_to_process() }}

),

-- the terms of this run's documents at their version; the version is joined back after the
-- grouping, which one string key less keeps from spilling as much (29 -> 25 s at 10,000 documents)
terms as (

    select identity_terms.*
    from {{ ref('int_identity_terms') }} as identity_terms
    where exists (
        select 1 from to_process
        where
            identity_terms.document_key = to_process.document_key
            and identity_terms.document_sha256 = to_process.document_sha256
    )

),

catalog as (

    select * from {{ ref('stg_vocabulary__identity_catalog') }}

),

documents as (

    select
        to_process.document_key,
        to_process.document_sha256
    from to_process

),

statements_held as (

    select
        measured.document_key,
        list(distinct measured.statement) as statements
    from {{ ref('int_cells__measured') }} as measured
    inner join to_process on measured.document_key = to_process.document_key
    group by measured.document_key

),

evaluated as (

    select
        document_key,
        family,
        identity_template,
        identity_key,
        identity,
        sum(case when side = 'left' then sign * coalesce(amount, 0) else 0 end) as left_value,
        sum(case when side = 'right' then sign * coalesce(amount, 0) else 0 end) as right_value,
        count(amount) as printed_terms,
        coalesce(sum(rounding), 0) as rounding_all_terms,
        coalesce(max(rounding), 0) as rounding_largest_term,
        coalesce(min(rounding), 0) as rounding_smallest_term,
        -- counted, not listed: a list per identity held every term of a large corpus in memory at once
        count(*) as terms
    from terms
    group by document_key, family, identity_template, identity_key, identity

),

judged as (

    select
        evaluated.*,
        to_process.document_sha256,
        evaluated.left_value - evaluated.right_value as difference,
        -- within a table, a printed total of n printed parts may differ from their sum by the
        -- parts' rounding (all terms but one: n x 0.005 in a 万元 table, the figures sharing one
        -- quantum); across tables, or between figures printed to different precisions (a 万元
        -- sentence against a 元 table), each side carries its own rounding, so every term counts
        cast(
            case
                when
                    evaluated.family = 'cross_table'
                    or evaluated.rounding_largest_term <> evaluated.rounding_smallest_term
                    then evaluated.rounding_all_terms
                else evaluated.rounding_all_terms - evaluated.rounding_largest_term
            end as decimal(24, 8)
        ) as tolerance
    from evaluated
    inner join to_process on evaluated.document_key = to_process.document_key

),

narrative_rates as (

    -- the stated rate of change against its base (amount - change): each printed figure may be
    -- off by half a unit of its last digit, which moves the rate by up to
    -- 100 x (e_change / |base| + |change| x (e_amount + e_change) / base^2), plus the rate's own rounding
    select
        narrative.document_key,
        to_process.document_sha256,
        'narrative' as family,
        '叙述增减率 = 增减额 ÷ 基数' as identity_template,
        '叙述增减率 = 增减额 ÷ 基数 | ' || narrative.topic || ' ' || narrative.base || ' ' || narrative.source_line
            as identity_key,
        narrative.topic || ' ' || narrative.rate_text || '% ('
        || case narrative.base when 'budget' then 'vs budget' else 'vs prior year' end
        || ', narrative line ' || narrative.source_line || '): 叙述增减率 = 增减额 ÷ 基数' as identity,
        cast(narrative.rate_text as decimal(18, 4)) as left_value,
        round(100 * narrative.change_amount / (narrative.amount - narrative.change_amount), 2) as right_value,
        narrative.rate_rounding + 100 * (
            narrative.change_rounding / abs(narrative.amount - narrative.change_amount)
            + abs(narrative.change_amount) * (narrative.amount_rounding + narrative.change_rounding)
            / power(narrative.amount - narrative.change_amount, 2)
        ) as tolerance
    from {{ ref('stg_raw__narrative') }} as narrative
    inner join to_process on narrative.document_key = to_process.document_key
    where narrative.amount <> narrative.change_amount

),

all_judged as (

    select
        document_key,
        document_sha256,
        family,
        identity_template,
        identity_key,
        identity,
        left_value,
        right_value,
        difference,
        tolerance,
        terms,
        printed_terms
    from judged
    union all
    select
        document_key,
        document_sha256,
        family,
        identity_template,
        identity_key,
        identity,
        left_value,
        right_value,
        left_value - right_value,
        cast(cast(tolerance as decimal(18, 3)) as decimal(24, 8)),
        null,
        null
    from narrative_rates
    union all
    -- shares, rates and bounds among the facts only the narrative states
    select
        narrative_ratios.document_key,
        narrative_ratios.document_sha256,
        narrative_ratios.family,
        narrative_ratios.identity_template,
        narrative_ratios.identity_key,
        narrative_ratios.identity,
        narrative_ratios.left_value,
        narrative_ratios.right_value,
        narrative_ratios.difference,
        narrative_ratios.tolerance,
        null,
        null
    from {{ ref('int_identity_checks__narrative_ratios') }} as narrative_ratios
    inner join to_process
        on
            narrative_ratios.document_key = to_process.document_key
            and narrative_ratios.document_sha256 = to_process.document_sha256

),

judged_templates as (

    select
        judged_terms.document_key,
        judged_terms.identity_template
    from {{ ref('int_identity_terms') }} as judged_terms
    union all
    select
        narrative_rates.document_key,
        narrative_rates.identity_template
    from narrative_rates
    union all
    select
        narrative_ratios.document_key,
        narrative_ratios.identity_template
    from {{ ref('int_identity_checks__narrative_ratios') }} as narrative_ratios

),

not_applicable as (

    select
        documents.document_key,
        documents.document_sha256,
        catalog.family,
        catalog.identity_template,
        catalog.identity_template || ' | n/a' as identity_key,
        catalog.identity_template as identity,
        case
            when
                list_has_all(
                    coalesce(statements_held.statements, []),
                    coalesce(string_split(nullif(catalog.statements_required, ''), ' '), [])
                )
                then 'lines not printed'
            else 'tables missing: ' || array_to_string(
                list_filter(
                    coalesce(string_split(nullif(catalog.statements_required, ''), ' '), []),
                    lambda required: not list_contains(coalesce(statements_held.statements, []), required)  -- noqa: RF02, LT05
                ), ' '
            )
        end as reason
    from documents
    cross join catalog
    left join statements_held on documents.document_key = statements_held.document_key
    -- judged: read from the judged identities' sources, not from all_judged, which a second
    -- reader made DuckDB hold in full (two scans of 6.6 million rows at 10,000 documents)
    where not exists (
        select 1 from judged_templates
        where
            judged_templates.document_key = documents.document_key
            and judged_templates.identity_template = catalog.identity_template
    )

)

select
    document_key,
    document_sha256,
    family,
    identity_template,
    identity_key,
    identity,
    cast(left_value as decimal(24, 6)) as left_value,
    cast(right_value as decimal(24, 6)) as right_value,
    cast(difference as decimal(24, 6)) as difference,
    tolerance,
    -- judged on the stored figures, so the status can be re-checked from the table
    case when abs(cast(difference as decimal(24, 6))) <= tolerance then 'passed' else 'failed' end as status,
    null as reason,
    terms,
    printed_terms
from all_judged
union all
select
    document_key,
    document_sha256,
    family,
    identity_template,
    identity_key,
    identity,
    null,
    null,
    null,
    null,
    'not applicable',
    reason,
    null,
    null
from not_applicable
