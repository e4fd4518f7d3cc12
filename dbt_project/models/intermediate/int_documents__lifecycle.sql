-- Which files the warehouse counts. A document is identified by department, fiscal year and
-- phase (决算 / 预算), not by its file name:
-- - unreadable: extraction refused it (the reason and where are kept);
-- - duplicate: the same bytes as a file landed earlier (a copy is not a second document);
-- - superseded: a later version of the same department, year and phase exists (the later file,
--   by modification time, then landing time, then name, is the one counted);
-- - current: the one version the identities judge and the marts may publish.

with

documents as (

    select * from {{ ref('stg_raw__documents') }}

),

first_of_content as (

    select
        *,
        first_value(document_key) over (
            partition by sha256
            order by landed_at, file_modified_at, document_key
        ) as first_with_these_bytes
    from documents

),

identified as (

    select
        *,
        case
            when extraction_status = 'read'
                then
                    md5(
                        {{ normalize_label('department_name') }} || '|' || fiscal_year || '|' || phase
                    )
        end as identity_key
    from first_of_content

),

versions as (

    select
        *,
        case
            when identity_key is not null and first_with_these_bytes = document_key
                then
                    first_value(document_key) over (
                        partition by
                            identity_key,
                            (first_with_these_bytes = document_key)
                        order by file_modified_at desc, landed_at desc, document_key desc
                    )
        end as latest_version
    from identified

)

select
    document_key,
    sha256,
    -- what this document's rows were computed from: its bytes, the reader that read them, and when
    -- they were landed (a re-read replaces the rows even when the file is the same)
    sha256 || '|' || coalesce(extractor_version, '') || '|' || coalesce(cast(landed_at as varchar), '')
        as content_version,
    identity_key,
    case
        when extraction_status <> 'read' then 'unreadable'
        when first_with_these_bytes <> document_key then 'duplicate'
        when latest_version <> document_key then 'superseded'
        else 'current'
    end as lifecycle,
    case
        when extraction_status <> 'read' then null
        when first_with_these_bytes <> document_key then first_with_these_bytes
        when latest_version <> document_key then latest_version
    end as counted_instead
from versions
