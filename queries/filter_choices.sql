-- What the sidebar filters offer: every branch, lead type and tech in the data; one row per choice
-- (found once per import: queries/staging/stg_filter_choices.sql).
select
    kind,
    value,
    label,
from stg_filter_choices
order by kind, label
