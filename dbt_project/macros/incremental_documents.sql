{#-
    Incremental identity models are keyed by document: a run processes only the documents whose
    content (sha256) the model does not hold yet, and replaces their rows (delete+insert).
-#}
{% macro incremental_by_document() -%}
    {{ config(materialized='incremental', unique_key='document_key', incremental_strategy='delete+insert') }}
{%- endmacro %}

{% macro documents_to_process() -%}
    select
        documents.document_key,
        documents.sha256 as document_sha256
    from {{ ref('stg_raw__documents') }} as documents
    {% if is_incremental() -%}
        where not exists (
            select 1 from {{ this }} as already
            where
                already.document_key = documents.document_key
                and already.document_sha256 = documents.sha256
        )
    {%- endif %}
{%- endmacro %}
