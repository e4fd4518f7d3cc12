{#-
    A department name compared across documents, phases and years: no whitespace, half-width
    parentheses, no quotation marks. Renamed or merged departments are mapped to one name by
    the seed department_aliases (stg_vocabulary__department_aliases), not here.
-#}
{% macro conformed_department_name(name) -%}
    regexp_replace({{ normalize_label(name) }}, '["“”‘’\'']', '', 'g')
{%- endmacro %}
