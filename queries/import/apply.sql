-- Write the file's inserted and updated rows into {table}; unchanged rows are left as they are.
delete from {table} as t
using incoming as s
where {key_join}
    and s.action = 'updated';

insert into {table} ({columns}, import_id)
select
    {s_columns},
    $import_id as import_id,
from incoming as s
where s.action in ('inserted', 'updated');
