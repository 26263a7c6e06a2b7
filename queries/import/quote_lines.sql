-- Lines below the header with an odd number of quote characters, one row per such line: each
-- opens or closes a quoted value that spans lines, or holds a stray quote. With each, the next
-- such line and how many lines up to it read as records of their own (as many delimiters as a
-- record has, before any quote): a quoted value that would swallow records is a stray quote.
with odd as (
    select
        line_no,
        lead(line_no) over (order by line_no) as next_odd,
    from numbered_lines
    where line_no > $header_line
        and contains(line, $quote)
        and (length(line) - length(replace(line, $quote, ''))) % 2 = 1
),

reach as (
    select
        o.line_no,
        count(l.line_no) filter (
            where length(split_part(l.line, $quote, 1))
                - length(replace(split_part(l.line, $quote, 1), $delim, '')) >= $width - 1
        ) as record_like,
    from odd as o
    left join numbered_lines as l
        on l.line_no > o.line_no and l.line_no <= o.next_odd
    group by o.line_no
)

select
    o.line_no,
    o.next_odd,
    coalesce(r.record_like, 0) as record_like,
from odd as o
left join reach as r
    on o.line_no = r.line_no
order by o.line_no
