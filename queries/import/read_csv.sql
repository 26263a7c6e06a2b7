-- The delimited file as text cells c0..cN, one row per record (the header is the first row).
-- The delimiter and the column count come from the header row; nothing is type-sniffed.
-- DuckDB's parallel scanner refuses null padding when a quoted value holds a line break (a
-- multi-line note): the importer then reads the file again with $parallel = false.
create or replace temp table raw_csv as
select *
from read_csv(
    $path,
    header = false,
    auto_detect = false,
    columns = $columns,
    delim = $delim,
    quote = '"',
    escape = '"',
    null_padding = true,
    all_varchar = true,
    max_line_size = 10000000,
    parallel = $parallel
);
