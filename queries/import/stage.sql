-- The file's data rows with their raw cells and one raw_<column> per canonical column; one row
-- per non-blank data row. {cells} and {named} are column lists built from the contract.
create or replace temp table stg as
select
    line_no,
    list_value({cells}) as raw_values,
    {named},
from raw
where line_no > 1
    and list_bool_or(list_transform(list_value({cells}), lambda v: nullif(trim(v), '') is not null));
