{#- Half a unit of the last printed digit of a number printed as text: '9.7' -> 0.05, '12' -> 0.5. -#}
{% macro half_unit(text) -%}
    cast(0.5 / power(10, coalesce(length(split_part({{ text }}, '.', 2)), 0)) as decimal(18, 6))
{%- endmacro %}
