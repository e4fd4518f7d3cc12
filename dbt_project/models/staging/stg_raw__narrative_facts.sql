-- Read from the landing zone's files past a size: loaded once into a table, not re-read by every test.
{{ config(materialized='table' if var('raw_dir', none) else 'view') }}
with

source as (

    select * from {{ raw_table('narrative_facts') }}

),

renamed as (

    select
        document_id as document_key,
        topic,
        item,
        measure,
        value_text,
        value,
        unit,
        -- half a unit of the last printed digit: how far rounding may have moved the figure
        {{ half_unit("replace(value_text, ',', '')") }} as value_rounding,
        sentence,
        source_line,
        page

    from source

)

select * from renamed
