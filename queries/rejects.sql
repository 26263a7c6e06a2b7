-- Rejected rows with the file they came from; one row per broken rule (all imports, or one).
-- $limit rows from row $offset (a null $limit: every row).
with imports_of_interest as (
    select import_id, file_name, table_name, headers
    from imports
    where $import_id is null or import_id = $import_id
),

final as (
    select
        r.import_id,
        i.file_name as file,
        i.table_name as "table",
        r.line_no as "row",
        r.header as "column",
        r.value,
        r.reason,
        array_to_string(
            list_transform(
                list_zip(i.headers, r.raw_values),
                lambda cell: coalesce(cell[1], '') || '=' || coalesce(cell[2], '')
            ),
            '; '
        ) as raw_row,
    from rejects as r
    inner join imports_of_interest as i
        on r.import_id = i.import_id
    order by r.import_id, r.line_no, r.column_name
    limit $limit offset $offset
)

select * from final
