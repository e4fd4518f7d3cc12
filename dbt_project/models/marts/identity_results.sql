-- Balancing identities, one row per identity per document, whatever the document's status.

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
    results.cells
from results
inner join documents on results.document_key = documents.document_key
