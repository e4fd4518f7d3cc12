-- Every file the warehouse holds, in exactly one state: published, accepted, quarantined (held
-- back: failed identities or a cell no measure matches), unreadable, duplicate or superseded.
with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

cell_counts as (

    select
        document_key,
        count(*) as amount_cells
    from {{ ref('stg_raw__cells') }}
    group by document_key

),

gate as (

    select * from {{ ref('int_document_status') }}

),

conformed as (

    select * from {{ ref('int_documents__conformed') }}

)

select
    documents.document_key,
    conformed.department_key,
    documents.department_name,
    documents.fiscal_year,
    documents.phase,
    documents.source_file,
    documents.sha256,
    documents.reader,
    documents.printed_unit,
    documents.statements_found,
    coalesce(cell_counts.amount_cells, 0) as amount_cells,
    gate.status,
    gate.status_reason,
    documents.extraction_reason_page as reason_page,
    documents.extraction_reason_line as reason_line,
    gate.counted_instead,
    documents.warning_count,
    gate.unplaced_cells,
    gate.identities_passed,
    gate.identities_failed,
    gate.identities_not_applicable,
    gate.acceptance_reason,
    gate.accepted_on,
    documents.file_modified_at,
    documents.landed_at
from documents
left join cell_counts on documents.document_key = cell_counts.document_key
left join gate on documents.document_key = gate.document_key
left join conformed on documents.document_key = conformed.document_key
