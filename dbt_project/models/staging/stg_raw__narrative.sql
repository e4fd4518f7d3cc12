-- Read from the landing zone's files past a size: kept in a table, each file read once (raw_table).
{{ landed_table('narrative') }}
with

source as (

    select * from {{ raw_table('narrative') }}

),

renamed as (

    select
        document_id as document_key,
        {{ normalize_label('topic') }} as topic,
        cast(amount as decimal(18, 2)) as amount,
        base,
        cast(change as decimal(18, 2)) as change_amount,
        rate as rate_text,
        -- half a unit of the last printed digit: how far rounding may have moved each figure
        {{ half_unit('amount') }} as amount_rounding,
        {{ half_unit('change') }} as change_rounding,
        {{ half_unit('rate') }} as rate_rounding,
        source_line,
        page,
        landed_file_version

    from source

)

select * from renamed
