{#- Generic tests written here because the dbt hub is out of reach. -#}

{% test matches_pattern(model, column_name, pattern) %}
    select {{ column_name }}
    from {{ model }}
    where {{ column_name }} is not null
      and not regexp_full_match({{ column_name }}, '{{ pattern }}')
{% endtest %}

{#- Rows are grouped first by one integer, a hash of the key: grouping the 25 million rows of
    identity_cells (10,000 documents) by their six text columns took 20 s. Only the keys whose hash
    repeats are then compared in full, so a hash collision cannot fail the test. -#}
{% test unique_combination(model, columns) %}
    with repeated_hashes as (
        select hash({{ columns | join(', ') }}) as key_hash
        from {{ model }}
        group by key_hash
        having count(*) > 1
    )
    select {{ columns | join(', ') }}, count(*) as occurrences
    from {{ model }}
    where hash({{ columns | join(', ') }}) in (select key_hash from repeated_hashes)
    group by {{ columns | join(', ') }}
    having count(*) > 1
{% endtest %}

{% test consistent_with_code(model, column_name, code_column, length) %}
    select {{ column_name }}, {{ code_column }}
    from {{ model }}
    where {{ column_name }} is not null
      and {{ column_name }} <> left({{ code_column }}, {{ length }})
{% endtest %}
