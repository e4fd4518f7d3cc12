{#-
    The raw tables: dbt seeds for the small embedded warehouse, or, past a size, the CSV files
    of a raw folder read by DuckDB directly (var raw_dir: <raw_dir>/cells/*.csv and
    <raw_dir>/documents/*.csv, one file per document, written by `juesuan build --raw-dir`).
-#}
{% macro raw_table(name) -%}
    {%- set raw_dir = var('raw_dir', none) -%}
    {%- if raw_dir -%}
        read_csv(
            '{{ raw_dir }}/{{ name }}/*.csv',
            header = true,
            quote = '"',
            columns = {{ raw_columns(name) }}
        )
    {%- else -%}
        {{ ref('raw_' ~ name) }}
    {%- endif -%}
{%- endmacro %}

{% macro raw_columns(name) -%}
    {%- if name == 'cells' -%}
        {'document_id': 'varchar', 'statement': 'varchar', 'row_index': 'integer', 'row_label': 'varchar',
         'parent_label': 'varchar', 'code': 'varchar', 'column_header': 'varchar', 'amount_text': 'varchar',
         'amount': 'decimal(18, 2)', 'unit': 'varchar', 'source_line': 'integer', 'page': 'integer',
         'measure': 'varchar', 'flags': 'varchar'}
    {%- elif name == 'narrative' -%}
        {'document_id': 'varchar', 'topic': 'varchar', 'amount': 'varchar', 'base': 'varchar',
         'change': 'varchar', 'rate': 'varchar', 'source_line': 'integer', 'page': 'integer'}
    {%- else -%}
        {'document_id': 'varchar', 'source_file': 'varchar', 'sha256': 'varchar', 'reader': 'varchar',
         'department_name': 'varchar', 'fiscal_year': 'integer', 'unit': 'varchar', 'statements_found': 'varchar',
         'phase': 'varchar'}
    {%- endif -%}
{%- endmacro %}
