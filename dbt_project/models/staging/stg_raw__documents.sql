with

source as (

    select * from {{ raw_table('documents') }}

),

renamed as (

    select
        document_id as document_key,
        trim(department_name) as department_name,
        cast(fiscal_year as integer) as fiscal_year,
        source_file,
        sha256,
        reader,
        unit as printed_unit,
        statements_found,
        coalesce(nullif(trim(phase), ''), 'final') as phase

    from source

)

select * from renamed
