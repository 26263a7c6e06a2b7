-- The status words one import rejected rows for (no contract word nor mapping reads them), most
-- rows first: the import's hint says how to map them with --status.
select value as word, count(*) as rows
from rejects
where import_id = $import_id
    and column_name = 'status'
    and reason like 'unknown status%'
group by value
order by rows desc, word
