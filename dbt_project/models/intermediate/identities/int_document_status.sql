-- The gate: a document reaches the fact marts only when every applicable identity passed,
-- or when its failures were accepted (juesuan accept) for exactly this content (sha256).

with

documents as (

    select * from {{ ref('stg_raw__documents') }}

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
        count(*) filter (where status = 'not applicable') as identities_not_applicable
    from results
    group by document_key

)

select
    documents.document_key,
    documents.sha256,
    coalesce(tallies.identities_passed, 0) as identities_passed,
    coalesce(tallies.identities_failed, 0) as identities_failed,
    coalesce(tallies.identities_not_applicable, 0) as identities_not_applicable,
    accepted.reason as acceptance_reason,
    accepted.accepted_on,
    case
        when tallies.document_key is null then 'not validated'
        when tallies.identities_failed = 0 then 'published'
        when accepted.document_key is not null then 'accepted'
        else 'quarantined'
    end as status
from documents
left join tallies on documents.document_key = tallies.document_key
left join accepted
    on
        documents.document_key = accepted.document_key
        and documents.sha256 = accepted.sha256
