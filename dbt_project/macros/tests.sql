{#- Generic tests written here because the dbt hub is out of reach. -#}

{% test matches_pattern(model, column_name, pattern) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and not regexp_full_match({{ column_name }}, '{{ pattern }}')
{% endtest %}

{% test unique_combination(model, columns) %}
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{% test consistent_with_code(model, column_name, code_column, length) %}
    select {{ column_name }}, {{ code_column }}
    from {{ model }}
    where {{ column_name }} is not null
      and {{ column_name }} <> left({{ code_column }}, {{ length }})
{% endtest %}
