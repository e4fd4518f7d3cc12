{{ incremental_by_document() }}

-- Balancing identities, one row per identity per document, whatever the document's status.
-- The cells of each identity are in identity_cells (a side table: BI tools read no list columns).
-- Kept by document like int_identity_results: a build recomputes new or changed documents.

with

to_process as (

    {{ documents_to_process() }}

),

results as (

    select identity_results.*
    from {{ ref('int_identity_results') }} as identity_results
    inner join to_process
        on
            identity_results.document_key = to_process.document_key
            and identity_results.document_sha256 = to_process.document_sha256

),

documents as (

    select * from {{ ref('stg_raw__documents') }}

)

select
    results.document_key,
    results.document_sha256,
    documents.department_name,
    documents.fiscal_year,
    results.family,
    results.identity_template,
    results.identity_key,
    results.identity,
    results.left_value,
    results.right_value,
    results.difference,
    results.tolerance,
    results.status,
    results.reason,
    cast(results.terms as integer) as terms,
    cast(results.printed_terms as integer) as printed_terms
from results
inner join documents on results.document_key = documents.document_key
