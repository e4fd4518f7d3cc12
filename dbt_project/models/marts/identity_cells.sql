{{ config(materialized='view') }}

-- The cells of every evaluated identity, one row per term, with where each was printed
-- (source line, page). A side table of identity_results rather than a list column, which BI
-- tools and drivers trip on. A term whose cell the document does not print has no amount.
-- A view of int_identity_terms (every term with where it was printed, from the term models
-- kept by document): as a table it wrote every term once more (25 million rows at 10,000
-- documents, 15 s of the build), for a projection.
-- Every term belongs to an identity of identity_results (int_identity_results evaluates every
-- identity from its terms), so the terms are not joined to the results.

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
from {{ ref('int_identity_terms') }}
