-- Balancing identities, one row per identity per document, whatever the document's status.
-- The cells of each identity are in identity_cells (a side table: BI tools read no list columns).

with

results as (

    select * from {{ ref('int_identity_results') }}

),

documents as (

    select * from {{ ref('stg_raw__documents') }}

)

select
    results.document_key,
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
