-- The records of a text file in which every line starts a record (no blank lines, no quoted
-- value over several lines): record k is on line k; one row per record. fits and n_fields as
-- in number_records.sql.
create or replace temp table raw as
with shaped as (
    select
        rowid + 1 as line_no,
        *,
        {last} is not null and ({extra} is null or ({extra} = '' and {beyond} is null)) as fits,
    from raw_csv
)

select
    line_no,
    if(fits, $width, list_count(list_value({all_cells}))) as n_fields,
    fits,
    {cells},
from shaped;
