-- One row per identity instance per document: left, right, difference, the rounding tolerance
-- (n printed terms summed into a printed total may differ from it by n × 0.005 万元; across
-- tables, every printed term of both sides counts) and status.
-- An identity whose tables the document lacks, or whose lines it does not print, is reported
-- once as not applicable.

with

terms as (

    select * from {{ ref('int_identity_terms') }}

),

catalog as (

    select * from {{ ref('stg_vocabulary__identity_catalog') }}

),

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

statements_held as (

    select
        document_key,
        list(distinct statement) as statements
    from {{ ref('int_cells__measured') }}
    group by document_key

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
        list(
            { 'statement': statement, 'row_key': row_key, 'measure': measure, 'side': side, 'amount': amount }
            order by side, statement, row_key, measure
        ) as cells
    from terms
    group by document_key, family, identity_template, identity_key, identity

),

judged as (

    select
        *,
        left_value - right_value as difference,
        -- within a table, a printed total of n printed parts may differ from their sum by
        -- n x 0.005; across tables both sides are printed totals, each carrying its own
        -- rounding, so every printed term on either side counts
        cast(
            case
                when family = 'cross_table' then printed_terms
                else greatest(printed_terms - 1, 0)
            end * 0.005 as decimal(18, 3)
        ) as tolerance
    from evaluated

),

not_applicable as (

    select
        documents.document_key,
        catalog.family,
        catalog.identity_template,
        catalog.identity_template || ' | n/a' as identity_key,
        catalog.identity_template as identity,
        case
            when list_has_all(coalesce(statements_held.statements, []), string_split(catalog.statements_required, ' '))
                then 'lines not printed'
            else 'tables missing: ' || array_to_string(
                list_filter(
                    string_split(catalog.statements_required, ' '),
                    lambda required: not list_contains(coalesce(statements_held.statements, []), required)  -- noqa: RF02, LT05
                ), ' '
            )
        end as reason
    from documents
    cross join catalog
    left join statements_held on documents.document_key = statements_held.document_key
    where not exists (
        select 1 from judged
        where
            judged.document_key = documents.document_key
            and judged.identity_template = catalog.identity_template
    )

)

select
    document_key,
    family,
    identity_template,
    identity_key,
    identity,
    cast(left_value as decimal(18, 2)) as left_value,
    cast(right_value as decimal(18, 2)) as right_value,
    cast(difference as decimal(18, 2)) as difference,
    tolerance,
    case when abs(difference) <= tolerance then 'passed' else 'failed' end as status,
    null as reason,
    cells
from judged
union all
select
    document_key,
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
    null
from not_applicable
