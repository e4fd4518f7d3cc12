{#-
    The raw tables: dbt seeds (the committed sample, or a small landing zone merged by the build),
    or, past a size, every document's own CSV in the landing zone read by DuckDB directly
    (var raw_dir: <raw_dir>/<document>/raw_<name>.csv). The build chooses; the columns and the
    dialect are those of the seed, declared once in dbt_project.yml, never sniffed.

    Read directly, a staging model keeps what it read (incremental) with each file's version (its
    modification time and size: the landing zone writes a document's files anew and swaps its
    folder in), so a build reads only the files that are new or changed, and then drops the rows
    whose file is gone (a removed document) or was written again. A document with no row for a
    table has no file of it (a file holding only its header line, as older landings wrote, is not read).
-#}
{% macro landed_table(name) -%}
    {%- if var('raw_dir', none) -%}
        {{ config(
            materialized='incremental', unique_key='document_key', incremental_strategy='delete+insert',
            on_schema_change='sync_all_columns',
            post_hook="delete from {{ this }} as held where not exists (
                select 1 from read_blob('" ~ landed_glob(name) ~ "') as files
                where " ~ landed_file_matches('held', 'files') ~ ")"
        ) }}
    {%- else -%}
        {{ config(materialized='view') }}
    {%- endif -%}
{%- endmacro %}

{% macro landed_glob(name) -%}
    {{ var('raw_dir') | replace("'", "''") }}/*/raw_{{ name }}.csv
{%- endmacro %}

{#- A file's version: when it was written and its size. -#}
{% macro landed_file_version(modified_column, size_column) -%}
    strftime({{ modified_column }}, '%Y-%m-%dT%H:%M:%S.%f') || '/' || cast({{ size_column }} as varchar)
{%- endmacro %}

{#- The rows of `held` came from the file `files` (a read_blob row) as it is now. -#}
{% macro landed_file_matches(held, files) -%}
    {{ held }}.document_key = parse_filename(parse_dirpath({{ files }}.filename))
    and {{ held }}.landed_file_version = {{ landed_file_version(files ~ '.last_modified', files ~ '.size') }}
{%- endmacro %}

{#- The raw rows with the version of the file each came from (null for seeds). -#}
{% macro raw_table(name) -%}
    {%- set raw_dir = var('raw_dir', none) -%}
    {%- if raw_dir -%}
        {#- the seed (headers only then) stays upstream, so the graph is the same either way -#}
        -- depends_on: {{ ref('raw_' ~ name) }}
        {%- set files = files_to_read(name) -%}
        {%- if files == [] %}
            (select *, cast(null as varchar) as landed_file_version from {{ ref('raw_' ~ name) }} where false)
        {%- else %}
            (
                select
                    raw.* exclude (filename),
                    files.landed_file_version
                from read_csv(
                    {{ files }},
                    header = true,
                    delim = ',',
                    quote = '"',
                    escape = '"',
                    auto_detect = false,
                    union_by_name = false,
                    filename = true,
                    columns = {{ raw_columns('raw_' ~ name) }}
                ) as raw
                -- each file's version worked out once, not on each of its rows
                inner join (
                    select
                        filename,
                        {{ landed_file_version('last_modified', 'size') }} as landed_file_version
                    from read_blob({{ files }})
                ) as files on raw.filename = files.filename
            )
        {%- endif -%}
    {%- else -%}
        (select *, cast(null as varchar) as landed_file_version from {{ ref('raw_' ~ name) }})
    {%- endif -%}
{%- endmacro %}

{#- Every landed file of the table in a new build; else those whose version the model does not hold. -#}
{% macro files_to_read(name) -%}
    {%- set pattern = "'" ~ landed_glob(name) ~ "'" -%}
    {%- if not (execute and is_incremental() and 'landed_file_version' in held_columns(this)) -%}
        {#- a document with no row for a table lands no file of it: read_csv fails on a pattern that matches none -#}
        {%- if execute and run_query('select filename from read_blob(' ~ pattern ~ ') limit 1').rows | length == 0 -%}
            {{- return([]) -}}
        {%- endif -%}
        {{- return(pattern) -}}
    {%- endif -%}
    {%- set changed -%}
        select files.filename
        from read_blob({{ pattern }}) as files
        where
            files.size > {{ header_bytes('raw_' ~ name) }}
            -- the versions held, one row per file first (an anti join onto the table hashes every row)
            and not exists (
                select 1
                from (select distinct document_key, landed_file_version from {{ this }}) as held
                where {{ landed_file_matches('held', 'files') }}
            )
        order by files.filename
    {%- endset -%}
    {%- set paths = run_query(changed).columns[0].values() | list -%}
    {%- if not paths -%}
        {{- return([]) -}}
    {%- endif -%}
    {%- set quoted = [] -%}
    {%- for path in paths -%}
        {%- do quoted.append("'" ~ path.replace("'", "''") ~ "'") -%}
    {%- endfor -%}
    {{- return("[" ~ (quoted | join(', ')) ~ "]") -}}
{%- endmacro %}

{#- The size of a file that holds the header line alone (its line ending: one or two bytes). -#}
{% macro header_bytes(seed_name) -%}
    {%- set header = graph.nodes['seed.juesuan.' ~ seed_name].config.column_types.keys() | join(',') -%}
    {{- header | length + 2 -}}
{%- endmacro %}

{% macro raw_columns(seed_name) -%}
    {%- set types = {} -%}
    {%- if execute -%}
        {%- set seed = graph.nodes['seed.juesuan.' ~ seed_name] -%}
        {%- set types = seed.config.column_types -%}
    {%- endif -%}
    {{ '{' }}{%- for column, type in types.items() -%}'{{ column }}': '{{ type }}'{{ ', ' if not loop.last }}{%- endfor -%}{{ '}' }}
{%- endmacro %}
