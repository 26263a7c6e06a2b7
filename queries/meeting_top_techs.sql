-- The meeting's rankings for the period: the $top techs with the most leads submitted, the most
-- won deals and the most won revenue (ties: won deals for revenue, then the tech's label and ID),
-- zeros left out; one row per ranking and place. The measures are by_tech's, per tech. The
-- revenue ranking is per-person money: a person without it ($money false) gets no such rows.
with cohort as (
    select tech_id, count(*) as leads_submitted,
    from lb_cohort($start, $end, $branches, $lead_types, $techs, $scope)
    group by tech_id
),

deals as (
    select tech_id, count(*) as deals_won, sum(revenue) as revenue_attributed,
    from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
    group by tech_id
),

paid as (
    select tech_id
    from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
    group by tech_id
),

-- by_tech's techs (a lead, a deal or a payout in the period): the labels are unique among them.
present as (
    select tech_id from cohort
    union
    select tech_id from deals
    union
    select tech_id from paid
),

per_tech as (
    select
        present.tech_id,
        lb_tech_label(t.tech_name, present.tech_id) as tech,
        -- The tech's roster branch; blank for a person who may not see that branch (the
        -- tech's rows count only the leads, deals and payouts of the person's branches).
        case when lb_in_scope($scope, t.roster_branch) then t.roster_branch end as branch,
        coalesce(c.leads_submitted, 0) as leads_submitted,
        coalesce(d.deals_won, 0) as deals_won,
        coalesce(d.revenue_attributed, 0) as revenue_attributed,
    from present
    left join stg_techs as t on present.tech_id = t.tech_id
    left join cohort as c on present.tech_id = c.tech_id
    left join deals as d on present.tech_id = d.tech_id
),

ranked as (
    select
        'leads_submitted' as ranking,
        row_number() over (order by leads_submitted desc, tech, tech_id) as place,
        *,
    from per_tech
    where leads_submitted > 0
    union all by name
    select
        'deals_won' as ranking,
        row_number() over (order by deals_won desc, tech, tech_id) as place,
        *,
    from per_tech
    where deals_won > 0
    union all by name
    select
        'revenue_attributed' as ranking,
        row_number() over (order by revenue_attributed desc, deals_won desc, tech, tech_id)
            as place,
        *,
    from per_tech
    where revenue_attributed > 0
        and $money
)

select ranking, place, tech_id, tech, branch, leads_submitted, deals_won, revenue_attributed,
from ranked
where place <= $top
order by ranking, place
