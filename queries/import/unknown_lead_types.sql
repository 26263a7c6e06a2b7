-- Lead-type words of the file read as "other" only because nothing knows them; one row per word as written.
select lead_type_raw as word, count(*) as rows
from parsed
where lead_type = 'other'
    and lead_type_raw is not null
    and not exists (
        select 1 from lead_type_words as w
        where w.word = lb_word(parsed.lead_type_raw)
    )
group by lead_type_raw
order by rows desc, word
limit 50
