-- Run only when import/layout.sql found a second table (row_layout.second_start): the update
-- reads every row of the file back, 2.5 s at 10M leads under the import's memory limit.
-- A second table: it and every row below it are rejected, never merged into the first.
update parsed
set problems = [lb_problem(null, null, 'a second table starts at line ' || $second_start
    || ': only the first table of a file is imported; export the other table to its own file')]
where line_no >= $second_start;
