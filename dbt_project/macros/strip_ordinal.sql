{#- A printed line label without its ordinal prefix: 一、一般公共服务支出 -> 一般公共服务支出. -#}
{% macro strip_ordinal(label) -%}
    trim(regexp_replace(trim({{ label }}), '^([一二三四五六七八九十]+、|[0-9]+[、.．])\s*', ''))
{%- endmacro %}
