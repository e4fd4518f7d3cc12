{{ incremental_by_document() }}

-- Every cell of every document (published or not) with what the identities need to find it:
-- the side of a summary table, the role of a summary line, the 类 of a class line.

with

to_process as (

    {{ documents_to_process() }}

),

-- Only placed cells, once per row and column: a cell with no measure or no row, or a second cell under
-- the same row and column, holds its document back (int_document_status) and is left out here,
-- so the identities of every other document are computed as always.
-- The first printed of each row and column is kept. A key printed twice is rare, so the keys
-- are counted first (by a hash: a collision only sends a cell down the ranked path) and only
-- the repeated ones are ranked: ranking every cell sorted all 9.5 million cells of 10,000
-- documents with their columns (26 CPU seconds; 7 now). Not materialized: read three times,
-- the cells are cheaper scanned again than held.
{%- set key_hash = 'hash(placed.document_key, placed.statement, placed.row_key, placed.measure)' %}
placed as not materialized (

    select measured.*
    from {{ ref('int_cells__measured') }} as measured
    inner join to_process on measured.document_key = to_process.document_key
    where measured.measure is not null and measured.row_key is not null

),

repeated_keys as (

    select {{ key_hash }} as key_hash
    from placed
    group by key_hash
    having count(*) > 1

),

cells as (

    select placed.*
    from placed
    where {{ key_hash }} not in (select repeated_keys.key_hash from repeated_keys)
    union all
    select placed.*
    from placed
    where {{ key_hash }} in (select repeated_keys.key_hash from repeated_keys)
    qualify row_number() over (
        partition by placed.document_key, placed.statement, placed.row_key, placed.measure
        order by placed.page, placed.source_line, placed.row_index
    ) = 1

),

summary_lines as (

    select * from {{ ref('stg_vocabulary__summary_lines') }}

),

classes as (

    select * from {{ ref('stg_vocabulary__functional_classes') }}

),

shaped as (

    select
        cells.document_key,
        cells.document_sha256,
        cells.statement,
        cells.row_key,
        cells.code,
        cells.measure,
        cells.amount,
        cells.rounding,
        cells.parent_label,
        -- where the cell was printed (int_cells__printed_at reads it here: one table of the cells, not two)
        cells.source_line,
        cells.page,
        case
            when cells.statement not in ('T1', 'T4') then null
            when cells.measure like 'income%' then '收入'
            else '支出'
        end as side,
        {{ normalize_label('cells.row_key') }} as line_key
    from cells

)

select
    shaped.*,
    coalesce(
        own_role.line_role,
        case when parent_role.line_role = 'opening_balance' then 'opening_sub_line' end,
        case when shaped.side = '支出' and classes.class_code is not null then 'class_line' end
    ) as line_role,
    own_role.counterpart_measure,
    case when shaped.side = '支出' and shaped.parent_label is null then classes.class_code end as class_code
from shaped
left join summary_lines as own_role
    on
        shaped.statement = own_role.statement
        and shaped.side = own_role.side
        and shaped.line_key = own_role.line_key
left join summary_lines as parent_role
    on
        shaped.statement = parent_role.statement
        and shaped.side = parent_role.side
        and shaped.parent_label is not null
        and split_part(shaped.line_key, '/', 1) = parent_role.line_key
left join classes
    on
        shaped.side = '支出'
        and shaped.parent_label is null
        and shaped.line_key = classes.class_name
