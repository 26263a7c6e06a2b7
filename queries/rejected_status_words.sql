-- The status words rejected rows had (no contract word nor mapping reads them), one row per word
-- as written, most rows first; of one import ($import_id), or of all. The import's hint says how
-- to map them with --status.
select value as word, count(*) as rows
from rejects
where ($import_id is null or import_id = $import_id)
    and column_name = 'status'
    and reason like 'unknown status%'
group by value
order by rows desc, word
