-- The file's data rows with one raw_<column> per canonical column; one row per non-blank row
-- below the header (a row is blank when every cell is empty or spaces), with its number of
-- values and whether that fits the header. {cells} and {named} are column lists built from the
-- contract.
create or replace temp table stg as
select
    line_no,
    n_fields,
    fits,
    {named},
from raw
where line_no > $header_line
    -- the first test settles almost every row: its first non-empty cell has more than spaces
    and (trim(coalesce({cells})) <> '' or trim(concat_ws('', {cells})) <> '');
