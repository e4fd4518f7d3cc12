{#- Labels compared across templates: no whitespace, half-width parentheses. -#}
{% macro normalize_label(label) -%}
    regexp_replace(translate({{ label }}, '（）', '()'), '\s+', '', 'g')
{%- endmacro %}
