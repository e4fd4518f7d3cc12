-- Cells of the documents that passed the gate (int_document_status): the only input of the facts.

with

cells as (

    select * from {{ ref('int_cells__measured') }}

),

gate as (

    select * from {{ ref('int_document_status') }}
    where status in ('published', 'accepted')

)

select cells.*
from cells
inner join gate on cells.document_key = gate.document_key
