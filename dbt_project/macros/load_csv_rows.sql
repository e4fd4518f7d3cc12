{#-
    Seeds are loaded with the dialect juesuan writes (comma, double quotes doubled, a header row),
    never sniffed: DuckDB's sniffer reads a sample, and a quoted field with doubled quotes past the
    sample ("财政拨款""三公""经费") made it fail on larger raw tables.
-#}
{% macro duckdb__load_csv_rows(model, agate_table) %}
    {% set seed_file_path = adapter.get_seed_file_path(model) %}
    {% set sql %}
        copy {{ this.render() }} from '{{ seed_file_path }}' (
            format csv, header true, delimiter ',', quote '"', escape '"', auto_detect false
        )
    {% endset %}
    {% do adapter.add_query(sql, abridge_sql_log=True) %}
    {{ return(sql) }}
{% endmacro %}
