{{ incremental_by_document() }}

-- Checks of the facts only the narrative states that are not sums of printed terms
-- (stg_vocabulary__narrative_fact_rules):
--   share:       a stated share = 100 x part / whole, within what the printed figures' rounding allows
--                (the share's own half unit, plus 100 x (e_part / |whole| + |part| x e_whole / whole^2));
--   change_rate: a stated rate = 100 x change / (amount - change), with the same propagation;
--   at_most:     a stated part does not exceed its whole (difference = how far it does).
-- One row per judged instance, in the shape of int_identity_results before its status.

with

to_process as (

    {{ documents_to_process() }}

),

facts as (

    select facts.*
    from {{ ref('stg_raw__narrative_facts') }} as facts
    inner join to_process on facts.document_key = to_process.document_key

),

rules as (

    select * from {{ ref('stg_vocabulary__narrative_fact_rules') }}
    where kind in ('share', 'change_rate', 'at_most')

),

roled as (

    select
        rules.identity_template,
        rules.kind,
        rules.role,
        facts.*
    from rules
    inner join facts
        on rules.topic = facts.topic and rules.measure = facts.measure and facts.item like rules.item

),

ratios as (

    select * from roled
    where role = 'ratio'

),

parts as (

    select * from roled
    where role = 'part'

),

wholes as (

    select * from roled
    where role = 'whole'

),

-- the ratio and its part are stated together; the whole may be stated in an earlier sentence
-- (the nearest one before the ratio is taken)
shares as (

    select
        ratios.document_key,
        ratios.identity_template,
        ratios.kind,
        ratios.item,
        ratios.value_text as ratio_text,
        ratios.value as ratio,
        ratios.value_rounding as ratio_rounding,
        ratios.sentence,
        ratios.source_line,
        ratios.page,
        parts.value as part,
        parts.value_rounding as part_rounding,
        wholes.value as whole,
        wholes.value_rounding as whole_rounding
    from ratios
    inner join parts
        on
            ratios.identity_template = parts.identity_template
            and ratios.document_key = parts.document_key
            and ratios.sentence = parts.sentence
    inner join wholes
        on
            ratios.identity_template = wholes.identity_template
            and ratios.document_key = wholes.document_key
            and ratios.sentence >= wholes.sentence
    qualify row_number() over (
        partition by ratios.document_key, ratios.identity_template, ratios.sentence, ratios.source_line
        order by wholes.sentence desc, parts.source_line asc
    ) = 1

),

ratio_checks as (

    select
        document_key,
        identity_template,
        identity_template || ' | ' || item || ' ' || sentence || ' ' || source_line as identity_key,
        identity_template || ': ' || ratio_text || '% (narrative'
        || coalesce(' page ' || page, '') || ' line ' || source_line || ')' as identity,
        ratio as left_value,
        case kind
            when 'share' then 100 * part / whole
            else 100 * part / (whole - part)
        end as right_value,
        ratio_rounding + 100 * case kind
            when 'share' then part_rounding / abs(whole) + abs(part) * whole_rounding / power(whole, 2)
            else
                part_rounding / abs(whole - part)
                + abs(part) * (whole_rounding + part_rounding) / power(whole - part, 2)
        end as tolerance
    from shares
    where kind = 'share' and whole <> 0 or kind = 'change_rate' and whole <> part

),

bounded as (

    select
        parts.document_key,
        parts.identity_template,
        parts.identity_template || ' | ' || parts.sentence || ' ' || parts.source_line as identity_key,
        parts.identity_template || ': ' || parts.value_text || ' ≤ ' || wholes.value_text || ' (narrative'
        || coalesce(' page ' || parts.page, '') || ' line ' || parts.source_line || ')' as identity,
        parts.value as left_value,
        wholes.value as right_value,
        parts.value_rounding + wholes.value_rounding as tolerance
    from parts
    inner join wholes
        on
            parts.identity_template = wholes.identity_template
            and parts.document_key = wholes.document_key
    where parts.kind = 'at_most'
    qualify row_number() over (
        partition by parts.document_key, parts.identity_template, parts.sentence, parts.source_line
        order by abs(wholes.sentence - parts.sentence), wholes.sentence
    ) = 1

)

select
    ratio_checks.document_key,
    to_process.document_sha256,
    'narrative' as family,
    ratio_checks.identity_template,
    ratio_checks.identity_key,
    ratio_checks.identity,
    cast(ratio_checks.left_value as decimal(18, 4)) as left_value,
    cast(ratio_checks.right_value as decimal(18, 4)) as right_value,
    cast(ratio_checks.left_value - ratio_checks.right_value as decimal(18, 4)) as difference,
    cast(ratio_checks.tolerance as decimal(18, 3)) as tolerance
from ratio_checks
inner join to_process on ratio_checks.document_key = to_process.document_key
union all
select
    bounded.document_key,
    to_process.document_sha256,
    'narrative',
    bounded.identity_template,
    bounded.identity_key,
    bounded.identity,
    bounded.left_value,
    bounded.right_value,
    -- only an excess is a difference
    greatest(bounded.left_value - bounded.right_value, 0),
    cast(bounded.tolerance as decimal(18, 3))
from bounded
inner join to_process on bounded.document_key = to_process.document_key
