-- The delimited file as text cells c0..cN, one row per record in file order (blank lines are
-- skipped; the importer numbers the records with their lines). Two cells more than the header
-- has columns are read so that a row with too many values is seen (the reader drops what lies
-- beyond them); a row with too few is padded with nulls, and an empty value stays '' (the null
-- string is a noncharacter no text holds), so the number of values of each row is known.
-- Nothing is type-sniffed. DuckDB's parallel scanner refuses null padding when a quoted value
-- holds a line break (a multi-line note): the importer then reads with $parallel = false.
create or replace temp table raw_csv as
select *
from read_csv(
    $path,
    header = false,
    auto_detect = false,
    columns = $columns,
    delim = $delim,
    quote = $quote,
    escape = $escape,
    null_padding = true,
    strict_mode = false,
    nullstr = $sentinel,
    all_varchar = true,
    max_line_size = 10000000,
    parallel = $parallel
);
