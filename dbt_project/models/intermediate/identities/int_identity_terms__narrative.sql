{{ incremental_by_document() }}

-- An amount the narrative states for a table line equals that line. The narrative's topic
-- names the line (stg_vocabulary__narrative_lines; the longest name it ends with wins); only
-- lines the document prints are compared.

with

to_process as (

    {{ documents_to_process() }}

),

figures as (

    select narrative.*
    from {{ ref('stg_raw__narrative') }} as narrative
    inner join to_process on narrative.document_key = to_process.document_key

),

lines as (

    select * from {{ ref('stg_vocabulary__narrative_lines') }}

),

cells as (

    select identity_cells.*
    from {{ ref('int_identity_cells') }} as identity_cells
    inner join to_process on identity_cells.document_key = to_process.document_key

),

stated as (

    select
        figures.document_key,
        figures.topic,
        figures.amount,
        figures.source_line,
        lines.statement,
        lines.row_key,
        lines.measure
    from figures
    inner join lines on ends_with(figures.topic, lines.topic)
    qualify row_number() over (
        partition by figures.document_key, figures.topic, figures.source_line, figures.amount
        order by length(lines.topic) desc
    ) = 1

),

identities as (

    select
        stated.*,
        cells.amount as table_amount,
        '叙述金额 = 表内金额 | ' || stated.topic || ' ' || stated.source_line || ' ' || stated.amount
            as identity_key,
        stated.topic || ' (narrative line ' || stated.source_line || ') = ' || stated.statement || ' '
        || stated.row_key || ' ' || stated.measure || ': 叙述金额 = 表内金额' as identity
    from stated
    inner join cells
        on
            stated.document_key = cells.document_key
            and stated.statement = cells.statement
            and stated.row_key = cells.row_key
            and stated.measure = cells.measure

)

select
    identities.document_key,
    to_process.document_sha256,
    '叙述金额 = 表内金额' as identity_template,
    identities.identity_key,
    identities.identity,
    'left' as side,
    1 as sign,
    'narrative' as statement,
    identities.topic as row_key,
    'amount' as measure,
    identities.amount
from identities
inner join to_process on identities.document_key = to_process.document_key
union all
select
    identities.document_key,
    to_process.document_sha256,
    '叙述金额 = 表内金额' as identity_template,
    identities.identity_key,
    identities.identity,
    'right' as side,
    1 as sign,
    identities.statement,
    identities.row_key,
    identities.measure,
    identities.table_amount as amount
from identities
inner join to_process on identities.document_key = to_process.document_key
