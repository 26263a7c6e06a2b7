-- Write the file's inserted and updated rows into {table}; unchanged rows are left as they are.
delete from {table} as t
using incoming as s
where {key_join}
    and s.action = 'updated';

insert into {table} ({columns}, import_id)
select
    {p_columns},
    $import_id as import_id,
from incoming as s
inner join parsed as p
    on s.line_no = p.line_no
where s.action in ('inserted', 'updated');
