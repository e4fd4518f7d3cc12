{#-
    Incremental models are keyed by document: a run processes only the documents whose version
    the model does not hold yet, and replaces their rows (delete+insert). A document's version is
    its content (sha256, the reader's version, when it was landed) and the build's fingerprint (every model and vocabulary seed), so a
    changed model or vocabulary recomputes every document with no --full-refresh. A model whose
    columns changed (or a table that becomes kept by document) takes its new columns in place
    (sync_all_columns) and recomputes every document: a table without versions holds none.
    Only documents the warehouse counts (int_documents__lifecycle: current) are processed; with
    gated=true only those that pass the gate (int_document_status: published or accepted), and a
    document that leaves the gate loses its rows, one that enters it gets them.
-#}
{% macro incremental_by_document(gated=false) -%}
    {%- if gated -%}
        {%- set held = "select document_key from {{ ref('int_document_status') }}"
            ~ " where status in ('published', 'accepted')" -%}
    {%- else -%}
        {%- set held = "select document_key from {{ ref('int_documents__lifecycle') }} where lifecycle = 'current'" -%}
    {%- endif -%}
    {{ config(
        materialized='incremental', unique_key='document_key', incremental_strategy='delete+insert',
        on_schema_change='sync_all_columns',
        post_hook="delete from {{ this }} where document_key not in (" ~ held ~ ")"
    ) }}
{%- endmacro %}

{% macro build_fingerprint() -%}
    {%- set parts = [] -%}
    {%- if execute -%}
        {%- for node in (graph.get('nodes') or {}).values() | sort(attribute='unique_id') -%}
            {%- if node.resource_type in ('model', 'seed') and not node.name.startswith('raw_')
                and node.name != 'accepted_exceptions' -%}
                {%- do parts.append(node.unique_id ~ ':' ~ node.checksum.checksum) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endif -%}
    {{- local_md5(parts | join('|')) -}}
{%- endmacro %}

{#- The version of a document's rows: its sha256 under this build's fingerprint. -#}
{% macro document_version(sha256_column) -%}
    md5({{ sha256_column }} || '{{ build_fingerprint() }}')
{%- endmacro %}

{% macro documents_to_process(gated=false) -%}
    select
        documents.document_key,
        {{ document_version('documents.content_version') }} as document_sha256
    from {{ ref('int_documents__lifecycle') }} as documents
    {% if gated -%}
        inner join {{ ref('int_document_status') }} as gate
            on documents.document_key = gate.document_key and gate.status in ('published', 'accepted')
    {% endif -%}
    where
        documents.lifecycle = 'current'
        {% if is_incremental() and 'document_sha256' in held_columns(this) -%}
            -- the versions held, one row per document first: an anti join straight onto the table
            -- hashed all its rows (27 s for 25 million terms at 10,000 documents, against 3 s)
            and not exists (
                select 1
                from (select distinct held.document_key, held.document_sha256 from {{ this }} as held) as already
                where
                    already.document_key = documents.document_key
                    and already.document_sha256 = {{ document_version('documents.content_version') }}
            )
        {%- endif %}
{%- endmacro %}

{#- The columns a relation of the warehouse has now (lower case). -#}
{% macro held_columns(relation) -%}
    {%- if not execute -%}
        {{- return([]) -}}
    {%- endif -%}
    {{- return(adapter.get_columns_in_relation(relation) | map(attribute='name') | map('lower') | list) -}}
{%- endmacro %}
