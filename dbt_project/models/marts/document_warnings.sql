-- What the reader warned about, per document: a table it skipped, a header it did not know.
select
    warnings.document_key,
    warnings.warning_number,
    warnings.warning
from {{ ref('stg_raw__warnings') }} as warnings
