-- Service jobs run per tech and day, with the branch a filter looks at (the job's, else the tech's
-- roster branch, else Unassigned); one row per tech, branch and day. Stored as a table after each
-- import, in date order (see stg_leads).
with final as (
    select
        j.tech_id,
        coalesce(j.branch, roster.branch, 'Unassigned') as branch,
        j.completed_at,
        count(*) as jobs,
    from jobs as j
    left join techs as roster
        on j.tech_id = roster.tech_id
    group by all
)

select * from final
order by completed_at
