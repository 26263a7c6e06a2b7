-- Why leads were lost: leads lost with their close date in the period by reason; one row per reason.
with lost as (
    select coalesce(loss_reason, 'Not given') as loss_reason,
    from lb_closed($start, $end, $branches, $lead_types, $techs, $scope)
    where status = 'lost'
)

select
    loss_reason,
    count(*) as leads_lost,
    count(*) / sum(count(*)) over () as share,
from lost
group by loss_reason
order by leads_lost desc, loss_reason
