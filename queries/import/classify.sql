-- Valid rows of the file, the last row per key winning; then each winner classified against the
-- table as inserted, updated or unchanged. {table}, {key}, {columns}... come from the contract.
create or replace temp table valid as
select
    *,
    row_number() over (partition by {key} order by line_no desc) as key_rank,
    max(line_no) over (partition by {key}) as kept_line_no,
from parsed
where len(problems) = 0;

insert into superseded_rows
select
    $import_id as import_id,
    line_no,
    concat_ws(' | ', {key}) as record_key,
    kept_line_no,
from valid
where key_rank > 1;

create or replace temp table incoming as
select
    {s_columns},
    s.line_no,
    case
        when t.{first_key} is null then 'inserted'
        when row({s_columns}) is not distinct from row({t_columns}) then 'unchanged'
        else 'updated'
    end as action,
from (select * from valid where key_rank = 1) as s
left join {table} as t
    on {key_join};
