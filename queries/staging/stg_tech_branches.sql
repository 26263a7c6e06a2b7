-- The branches each tech has something in: their roster branch and the branches of their leads,
-- payouts and service jobs; one row per tech and branch. Stored as a table after each import: the
-- sidebar of a person with a scope offers the techs of their branches (lb_scope_techs).
select tech_id, roster_branch as branch from stg_techs
union
select tech_id, branch from stg_leads
union
select tech_id, branch from stg_payouts
union
select tech_id, branch from stg_jobs
order by tech_id, branch
