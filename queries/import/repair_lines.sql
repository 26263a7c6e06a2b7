-- The text file's lines with those that hold a stray quote emptied ($stray_lines); one row per
-- line, in order. The importer writes them to a copy of the file (every other line keeps its
-- number), so that DuckDB's CSV reader never lets a stray quote swallow the records below it.
select if(list_contains($stray_lines, line_no), '', coalesce(line, '')) as line
from numbered_lines
order by line_no
