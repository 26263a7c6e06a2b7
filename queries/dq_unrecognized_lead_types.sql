-- Lead-type words the contract does not know, counted as "other"; one row per word as written
-- (leads in the branches the person asking may see).
select
    l.lead_type_raw as lead_type_as_written,
    count(*) as leads,
from leads as l
inner join stg_leads as s
    on l.lead_id = s.lead_id
where l.lead_type = 'other'
    and l.lead_type_raw is not null
    and lb_in_scope($scope, s.branch)
    and not exists (
        select 1 from lead_type_words as w
        where w.word = lb_word(l.lead_type_raw) and w.lead_type = 'other'
    )
group by l.lead_type_raw
order by leads desc, lead_type_as_written
