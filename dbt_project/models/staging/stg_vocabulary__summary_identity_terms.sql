-- The terms of the summary-table identities (T1, T4): which printed line role on which side,
-- in which column, and whether the identity needs the line printed to be judged.

with

source as (

    select * from {{ ref('summary_identity_terms') }}

),

renamed as (

    select
        identity_template,
        side,
        line_side,
        line_role,
        nullif(only_measure, '') as only_measure,
        sign,
        per_column,
        required

    from source

)

select * from renamed
