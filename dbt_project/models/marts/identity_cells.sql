{{ incremental_by_document() }}

-- The cells of every evaluated identity, one row per term, with where each was printed
-- (source line, page). A side table of identity_results rather than a list column, which BI
-- tools and drivers trip on. A term whose cell the document does not print has no amount.
-- Kept by document like the identity models it reads (its rows depend on the document alone):
-- a build recomputes the documents that are new or changed, not the corpus. A new table takes
-- every document, which the models it reads hold at their current version: no to_process then
-- (its joins doubled the first build's time at 10,000 documents, 38 -> 76 s).
-- Every term belongs to an identity of identity_results (int_identity_results evaluates every
-- identity from its terms), so the terms are not joined to the results. Where each was printed
-- comes with the term (int_identity_terms).

with

{% if is_incremental() -%}
    to_process as (

        {{ documents_to_process() }}

    ),
{%- endif %}

terms as (

    select identity_terms.*
    from {{ ref('int_identity_terms') }} as identity_terms
    {% if is_incremental() -%}
        inner join to_process
            on
                identity_terms.document_key = to_process.document_key
                and identity_terms.document_sha256 = to_process.document_sha256
    {%- endif %}

)

select
    document_key,
    document_sha256,
    family,
    identity_key,
    side,
    cast(sign as integer) as sign,
    statement,
    row_key,
    measure,
    amount,
    rounding,
    source_line,
    page
from terms
