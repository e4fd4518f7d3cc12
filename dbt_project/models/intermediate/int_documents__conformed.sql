-- Every document with its conformed department: the printed name normalised, then mapped
-- through department_aliases when the department was renamed or merged. The department key
-- is the MD5 of the conformed name, so one department's budgets and finals share it.

with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

aliases as (

    select * from {{ ref('stg_vocabulary__department_aliases') }}

),

normalised as (

    select
        documents.*,
        {{ conformed_department_name('documents.department_name') }} as normalised_name
    from documents

)

select
    normalised.document_key,
    normalised.department_name,
    coalesce(aliases.conformed_name, normalised.normalised_name) as conformed_department_name,
    md5(coalesce(aliases.conformed_name, normalised.normalised_name)) as department_key,
    normalised.fiscal_year,
    normalised.phase
from normalised
left join aliases on normalised.normalised_name = aliases.printed_name
-- an unreadable file names no department
where normalised.department_name is not null
