-- Valid rows of the file, the last row per key winning; then each winner classified against the
-- table as inserted, updated or unchanged. {table}, {key}, {columns}... come from the contract.

-- Keys that more than one valid row has, with the line of the row that wins (the last).
create or replace temp table repeated_keys as
select
    {key},
    max(line_no) as kept_line_no,
from parsed
where len(problems) = 0
group by {key}
having count(*) > 1;

-- Valid rows that a later row with the same key replaces.
create or replace temp table superseded as
select
    p.line_no,
    concat_ws(' | ', {p_key}) as record_key,
    r.kept_line_no,
from parsed as p
inner join repeated_keys as r
    on {repeated_join}
where len(p.problems) = 0
    and p.line_no < r.kept_line_no;

insert into superseded_rows
select
    $import_id as import_id,
    line_no,
    record_key,
    kept_line_no,
from superseded;

-- Each winning row with what it does to the table, and its values: writing them needs no join
-- back to parsed (a join of every row of the file: at 12.8M service jobs it spilled and took
-- half of the import within the memory limit).
create or replace temp table incoming as
select
    {s_columns},
    s.line_no,
    case
        when t.{first_key} is null then 'inserted'
        when row({s_columns}) is not distinct from row({t_columns}) then 'unchanged'
        else 'updated'
    end as action,
from parsed as s
left join {table} as t
    on {key_join}
where len(s.problems) = 0
    and s.line_no not in (select line_no from superseded);
