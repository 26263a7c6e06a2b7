-- Status words of the file that no contract word or mapping reads; one row per word as written.
select status_raw as word, count(*) as rows
from parsed
where status is null and status_raw is not null
group by status_raw
order by rows desc, word
limit 50
