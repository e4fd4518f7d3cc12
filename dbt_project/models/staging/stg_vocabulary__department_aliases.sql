-- Renamed or merged departments (机构改革): a printed name and the name it is conformed to, so
-- a budget and a final, or two years, of one department meet under one department key.

with

source as (

    select * from {{ ref('department_aliases') }}

),

renamed as (

    select
        {{ conformed_department_name('printed_name') }} as printed_name,
        {{ conformed_department_name('conformed_name') }} as conformed_name,
        reason

    from source

)

select * from renamed
