-- Schema version 4: report-style files and damaged rows. An import counts the lines it skipped
-- (title lines above the header, footers below the data, total and group rows of a report: no
-- records) and keeps each with its reason; a rejected row keeps its line as the file had it.
-- Always read = inserted + updated + unchanged + superseded + rejected + skipped.

alter table imports add column if not exists skipped bigint default 0;

alter table rejects add column if not exists raw_line varchar;

create table if not exists skipped_rows (
    import_id integer not null,
    line_no bigint not null,
    reason varchar not null,
    raw_line varchar
);
