{#-
    The raw tables: dbt seeds (the committed sample, or a small landing zone merged by the build),
    or, past a size, every document's own CSV in the landing zone read by DuckDB directly
    (var raw_dir: <raw_dir>/<document>/raw_<name>.csv). The build chooses; the columns and the
    dialect are those of the seed, declared once in dbt_project.yml, never sniffed.
-#}
{% macro raw_table(name) -%}
    {%- set raw_dir = var('raw_dir', none) -%}
    {%- if raw_dir -%}
        {#- the seed (headers only then) stays upstream, so the graph is the same either way -#}
        -- depends_on: {{ ref('raw_' ~ name) }}
        read_csv(
            '{{ raw_dir }}/*/raw_{{ name }}.csv',
            header = true,
            delim = ',',
            quote = '"',
            escape = '"',
            auto_detect = false,
            union_by_name = false,
            columns = {{ raw_columns('raw_' ~ name) }}
        )
    {%- else -%}
        {{ ref('raw_' ~ name) }}
    {%- endif -%}
{%- endmacro %}

{% macro raw_columns(seed_name) -%}
    {%- set types = {} -%}
    {%- if execute -%}
        {%- set seed = graph.nodes['seed.juesuan.' ~ seed_name] -%}
        {%- set types = seed.config.column_types -%}
    {%- endif -%}
    {{ '{' }}{%- for column, type in types.items() -%}'{{ column }}': '{{ type }}'{{ ', ' if not loop.last }}{%- endfor -%}{{ '}' }}
{%- endmacro %}
