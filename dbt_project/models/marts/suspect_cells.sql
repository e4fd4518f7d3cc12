-- Where a document fails identities, the cells most likely misprinted or misread: for each cell
-- in a failed identity, the correction that balances one of its failed identities is tried on
-- every identity the cell is in; a cell scores the failed identities it would make pass minus
-- the passing ones it would break. Rank 1 is the best score (ties share it). Of a cell's
-- corrections with the same score, the one that balances the most identities exactly wins.
-- Each suspect carries the line and page it was printed on, so it can be found in the source.

with

terms as (

    select * from {{ ref('int_identity_terms') }}
    where amount is not null

),

results as (

    select * from {{ ref('int_identity_results') }}
    where status in ('passed', 'failed')

),

placed as (

    select
        terms.document_key,
        terms.statement,
        terms.row_key,
        terms.measure,
        terms.amount,
        terms.coefficient,
        results.difference,
        results.tolerance,
        results.status
    from terms
    inner join results
        on
            terms.document_key = results.document_key
            and terms.identity_key = results.identity_key

),

corrections as (

    select distinct
        document_key,
        statement,
        row_key,
        measure,
        amount,
        -difference * coefficient as correction
    from placed
    where status = 'failed'

),

scored as (

    select
        corrections.document_key,
        corrections.statement,
        corrections.row_key,
        corrections.measure,
        corrections.amount,
        corrections.correction,
        count(*) filter (
            where placed.status = 'failed'
            and abs(placed.difference + placed.coefficient * corrections.correction) <= placed.tolerance
        ) as identities_fixed,
        count(*) filter (
            where placed.status = 'passed'
            and abs(placed.difference + placed.coefficient * corrections.correction) > placed.tolerance
        ) as identities_broken,
        count(*) filter (
            where placed.difference + placed.coefficient * corrections.correction = 0
        ) as identities_exact
    from corrections
    inner join placed
        on
            corrections.document_key = placed.document_key
            and corrections.statement = placed.statement
            and corrections.row_key = placed.row_key
            and corrections.measure = placed.measure
    group by all

),

best_per_cell as (

    select
        *,
        identities_fixed - identities_broken as score
    from scored
    where identities_fixed > 0
    qualify row_number() over (
        partition by document_key, statement, row_key, measure
        order by identities_fixed - identities_broken desc, identities_exact desc, abs(correction) asc
    ) = 1

),

printed_at as (

    select
        document_key,
        statement,
        row_key,
        measure,
        source_line,
        page
    from {{ ref('int_cells__printed_at') }}

)

select
    best_per_cell.document_key,
    dense_rank() over (partition by best_per_cell.document_key order by best_per_cell.score desc) as suspect_rank,
    best_per_cell.statement,
    best_per_cell.row_key,
    best_per_cell.measure,
    best_per_cell.amount as printed_amount,
    cast(best_per_cell.amount + best_per_cell.correction as decimal(24, 6)) as balancing_amount,
    cast(best_per_cell.identities_fixed as integer) as identities_fixed,
    cast(best_per_cell.identities_broken as integer) as identities_broken,
    printed_at.source_line,
    printed_at.page
from best_per_cell
left join printed_at
    on
        best_per_cell.document_key = printed_at.document_key
        and best_per_cell.statement = printed_at.statement
        and best_per_cell.row_key = printed_at.row_key
        and best_per_cell.measure = printed_at.measure
