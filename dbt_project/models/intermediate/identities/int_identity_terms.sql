{{ config(materialized='view') }}

-- Every term of every evaluated identity instance: which cell, on which side, with which sign,
-- and how far rounding may have moved its printed figure (in 万元; a narrative figure by its
-- printed digits), with where it was printed.
-- A view of the term models, each kept by document: the row sums, hierarchy and summary totals
-- carry their own cell's rounding and print position (24 of 25 million terms at 10,000
-- documents), the other families have them looked up (int_identity_terms__looked_up). As a
-- table this model wrote every term a second time (20 of its 21 s at 10,000 documents), and
-- identity_cells a third.

with

-- by name: a table that took a column in place (sync_all_columns) holds it last
terms as (

    select * from {{ ref('int_identity_terms__row_sums') }}
    union all by name
    select * from {{ ref('int_identity_terms__hierarchy') }}
    union all by name
    select * from {{ ref('int_identity_terms__summary_totals') }}
    union all by name
    select * from {{ ref('int_identity_terms__looked_up') }}

),

catalog as (

    select * from {{ ref('stg_vocabulary__identity_catalog') }}

)

select
    terms.document_key,
    terms.document_sha256,
    catalog.family,
    terms.identity_template,
    terms.identity_key,
    terms.identity,
    terms.side,
    terms.sign,
    -- how a change of this cell moves (left - right)
    case when terms.side = 'left' then terms.sign else -terms.sign end as coefficient,
    terms.statement,
    terms.row_key,
    terms.measure,
    terms.amount,
    -- a printed figure whose table's rounding is unknown here counts as printed to 0.01 万元
    case when terms.amount is not null then coalesce(terms.rounding, 0.005) end as rounding,
    -- where the cell was printed: a table cell's source line and page, a narrative amount's first line
    terms.source_line,
    terms.page
from terms
inner join catalog on terms.identity_template = catalog.identity_template
