-- The records of the text file with the line each starts on; one row per record. The k-th
-- record starts on line k plus the number of gap lines (lines that start no record) before it:
-- for each gap, how many records come before it, and the record takes the gaps counted up to
-- the last gap that has fewer records before it than the record's own number. A record fits
-- when it has one value per header column (its last cell is there and the one beyond is not),
-- or one more that is empty (a trailing delimiter); n_fields, its number of values, is counted
-- for the others only (the header's width + 2 means more than that).
create or replace temp table raw as
with records as (
    select rowid + 1 as record_no, * from raw_csv
),

gaps as (
    select
        records_before,
        max(gaps_so_far) as gaps_so_far,
    from (
        select
            line_no - row_number() over (order by line_no) as records_before,
            row_number() over (order by line_no) as gaps_so_far,
        from gap_lines
    )
    group by records_before
),

numbered as (
    select
        r.record_no + coalesce(g.gaps_so_far, 0) as line_no,
        r.*,
    from records as r
    asof left join gaps as g
        on r.record_no > g.records_before
),

shaped as (
    select
        *,
        {last} is not null and ({extra} is null or ({extra} = '' and {beyond} is null)) as fits,
    from numbered
)

select
    line_no,
    if(fits, $width, list_count(list_value({all_cells}))) as n_fields,
    fits,
    {cells},
from shaped;
