-- Lines of report-style files that were skipped (titles, footers, totals, group headings), with
-- the file they came from; one row per skipped line (all imports, or one).
select
    s.import_id,
    i.file_name as file,
    s.line_no as "row",
    s.reason,
    s.raw_line as line,
from skipped_rows as s
inner join imports as i
    on s.import_id = i.import_id
where $import_id is null or s.import_id = $import_id
order by s.import_id, s.line_no
