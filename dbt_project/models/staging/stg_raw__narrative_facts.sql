-- Read from the landing zone's files past a size: kept in a table, each file read once (raw_table).
{{ landed_table('narrative_facts') }}
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
        page,
        landed_file_version

    from source

)

select * from renamed
