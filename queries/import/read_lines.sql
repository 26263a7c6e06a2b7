-- The text file's physical lines as they are, one row per line in file order (an empty line is
-- null); line numbers come from the order (numbered_lines). No quote or delimiter is interpreted:
-- the layout of the file (title lines, the header, quoted values that span lines, stray quotes,
-- footers) is judged from these, and a rejected row is shown with its line. The sentinel
-- delimiter is a Unicode noncharacter that text never holds.
create or replace temp table lines as
select line
from read_csv(
    $path,
    header = false,
    auto_detect = false,
    columns = {'line': 'VARCHAR'},
    delim = $sentinel,
    quote = '',
    escape = '',
    strict_mode = false,
    all_varchar = true,
    max_line_size = 10000000,
    parallel = true
);

create or replace temp view numbered_lines as
select rowid + 1 as line_no, line from lines;

-- The lines of the given numbers (a rejected or skipped row's line as the file had it). Found by
-- rowid: a filter on numbered_lines' computed line_no reads every line of the file back, 4 s at
-- 10M leads once the file's lines have spilled to disk under the import's memory limit.
create or replace temp macro lines_at(wanted) as table
select rowid + 1 as line_no, line
from lines
where rowid in (select unnest(wanted) - 1);
