-- The file's data rows with one raw_<column> per canonical column; one row per non-blank data
-- row (a row is blank when every cell is empty or spaces). {cells} and {named} are column lists
-- built from the contract.
create or replace temp table stg as
select
    line_no,
    {named},
from raw
where line_no > 1
    -- the first test settles almost every row: its first non-empty cell has more than spaces
    and (trim(coalesce({cells})) <> '' or trim(concat_ws('', {cells})) <> '');
