-- What the sidebar filters offer the person asking: the branches of their scope, the lead types
-- and the techs of their branches (lb_scope_techs); one row per choice (every choice in the data,
-- found once per import, for every branch: queries/staging/stg_filter_choices.sql).
select
    kind,
    value,
    label,
from stg_filter_choices
where $scope is null
    or (kind = 'branch' and lb_in_scope($scope, value))
    or kind = 'lead_type'
    or (kind = 'tech' and value in (select tech_id from lb_scope_techs($scope)))
order by kind, label
