-- Rewards paid per month and reason, clawbacks apart; one row per month and reason.
select
    strftime(paid_on, '%Y-%m') as month,
    coalesce(reason, 'Not given') as reason,
    count(*) as payouts,
    sum(amount) as amount,
    count(*) filter (where amount < 0) as clawbacks,
    coalesce(sum(amount) filter (where amount < 0), 0) as clawback_amount,
from lb_payouts_paid($start, $end, $branches, $lead_types, $techs, $scope)
group by all
order by month, reason
