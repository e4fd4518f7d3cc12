-- Every file's one state. Files the warehouse does not count keep their lifecycle state
-- (unreadable, duplicate, superseded). A counted document reaches the fact marts only when each
-- of its cells was placed under a measure and every applicable identity passed, or its failed
-- identities were accepted (juesuan accept) for exactly this content (sha256); else quarantined.

with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

lifecycle as (

    select * from {{ ref('int_documents__lifecycle') }}

),

results as (

    select * from {{ ref('int_identity_results') }}

),

accepted as (

    select * from {{ ref('stg_raw__accepted_exceptions') }}

),

tallies as (

    select
        document_key,
        count(*) filter (where status = 'passed') as identities_passed,
        count(*) filter (where status = 'failed') as identities_failed,
        count(*) filter (where status = 'not applicable') as identities_not_applicable,
        arg_min(
            identity || ': ' || left_value || ' ≠ ' || right_value, identity_key
        ) filter (where status = 'failed') as first_failed
    from results
    group by document_key

),

unplaced as (

    select
        document_key,
        count(*) as unplaced_cells,
        min(
            statement || ' ''' || coalesce(row_label, '') || ''' / ''' || column_header || ''''
            || coalesce(' (page ' || page || ')', ' (line ' || source_line || ')')
        ) as first_unplaced
    from {{ ref('int_cells__measured') }}
    where measure is null or row_key is null
    group by document_key

),

printed_twice as (

    select
        document_key,
        count(*) as repeated_cells,
        min(statement || ' ' || row_key || ' ' || measure) as first_repeated
    from (
        select
            document_key,
            statement,
            row_key,
            measure
        from {{ ref('int_cells__measured') }}
        where measure is not null
        group by all
        having count(*) > 1
    )
    group by document_key

),

judged as (

    select
        documents.document_key,
        documents.sha256,
        lifecycle.lifecycle,
        lifecycle.counted_instead,
        coalesce(tallies.identities_passed, 0) as identities_passed,
        coalesce(tallies.identities_failed, 0) as identities_failed,
        coalesce(tallies.identities_not_applicable, 0) as identities_not_applicable,
        coalesce(unplaced.unplaced_cells, 0) as unplaced_cells,
        coalesce(printed_twice.repeated_cells, 0) as repeated_cells,
        accepted.reason as acceptance_reason,
        accepted.accepted_on,
        case
            when lifecycle.lifecycle <> 'current' then lifecycle.lifecycle
            when documents.held_back_reason is not null then 'quarantined'
            when unplaced.unplaced_cells > 0 then 'quarantined'
            when printed_twice.repeated_cells > 0 then 'quarantined'
            when tallies.document_key is null then 'quarantined'
            when tallies.identities_failed = 0 then 'published'
            when accepted.document_key is not null then 'accepted'
            else 'quarantined'
        end as status,
        case
            when lifecycle.lifecycle = 'unreadable' then documents.extraction_reason
            when lifecycle.lifecycle = 'duplicate' then 'the same bytes as ' || lifecycle.counted_instead
            when lifecycle.lifecycle = 'superseded' then 'a later version is counted: ' || lifecycle.counted_instead
            when documents.held_back_reason is not null then 'held back by the reader: ' || documents.held_back_reason
            when unplaced.unplaced_cells > 0
                then
                    unplaced.unplaced_cells
                    || ' cell(s) not placed (no measure for the header, or no label or code for the row), first: '
                    || unplaced.first_unplaced
            when printed_twice.repeated_cells > 0
                then
                    printed_twice.repeated_cells || ' row and column pair(s) printed with more than one figure, first: '
                    || printed_twice.first_repeated
            when tallies.document_key is null then 'no identity could be evaluated'
            when tallies.identities_failed > 0 and accepted.document_key is not null
                then 'accepted: ' || accepted.reason
            when tallies.identities_failed > 0
                then
                    tallies.identities_failed || ' failed identit' || if(tallies.identities_failed = 1, 'y', 'ies')
                    || ', first: ' || tallies.first_failed
        end as status_reason
    from documents
    inner join lifecycle on documents.document_key = lifecycle.document_key
    left join tallies on documents.document_key = tallies.document_key
    left join unplaced on documents.document_key = unplaced.document_key
    left join printed_twice on documents.document_key = printed_twice.document_key
    left join accepted
        on
            documents.document_key = accepted.document_key
            and documents.sha256 = accepted.sha256

)

select * from judged
