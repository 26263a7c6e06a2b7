-- The leads behind one tech's lead quality signal ($signal: duplicates, lost_fast, month_end,
-- no_job or conversion: the leads not won), newest first; one row per lead.
select
    lead_id, submitted_at, customer_name, lead_type, status, closed_at, loss_reason, job_id,
    duplicate_of, branch,
from lb_lead_signals($start, $end, $branches, $lead_types, $techs, $scope, $not_real)
where tech_id = $tech_id
    and case $signal
        when 'duplicates' then duplicate_looking
        when 'lost_fast' then lost_fast_not_real
        when 'month_end' then month_end
        when 'no_job' then coalesce(no_job, false)
        when 'conversion' then status <> 'won'
        else false
    end
order by submitted_at desc, lead_id
