{{ incremental_by_document(gated=true) }}

-- Cells of the documents that passed the gate (int_document_status): the only input of the facts.
-- Kept by document: a build adds new or changed documents, drops those that leave the gate.

with

to_process as (

    {{ documents_to_process(gated=true) }}

),

cells as (

    select * from {{ ref('int_cells__measured') }}

)

select cells.*
from cells
inner join to_process
    on
        cells.document_key = to_process.document_key
        and cells.document_sha256 = to_process.document_sha256
