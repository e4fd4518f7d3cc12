-- Read from the landing zone's files past a size: loaded once into a table, not re-read by every test.
{{ config(materialized='table' if var('raw_dir', none) else 'view') }}
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
        page

    from source

)

select * from renamed
