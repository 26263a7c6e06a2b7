-- Evidence for the file's date order and decimal separator; one row for the whole file. Only
-- rows with one value per column count (a shifted row's description is no amount). Each kind
-- of value is read once: the counts come from one pass over the dates and one over the amounts.
with dates as (
    select unnest(list_value({dates})::varchar[]) as v from stg where fits
),

money as (
    select lb_money_digits(unnest(list_value({money})::varchar[])) as v from stg where fits
),

slashed as (
    select regexp_extract(v, '^\s*(\d{1,2})[/-](\d{1,2})', ['first_part', 'second_part']) as parts,
    from dates
    where lb_is_slashed(v)
),

date_counts as (
    select
        count(*) as slashed,
        count(*) filter (where cast(parts.first_part as integer) > 12) as day_first,
        count(*) filter (where cast(parts.second_part as integer) > 12) as month_first,
    from slashed
),

money_counts as (
    select
        count(*) filter (where regexp_matches(v, ',\d{1,2}$')) as comma_decimals,
        count(*) filter (where regexp_matches(v, '\.\d{1,2}$')) as point_decimals,
        count(*) filter (where regexp_matches(v, '^\d{1,3}(?:\.\d{3})+$')) as dotted_thousands,
    from money
)

select
    d.slashed,
    d.day_first,
    d.month_first,
    m.comma_decimals,
    m.point_decimals,
    m.dotted_thousands,
from date_counts as d
cross join money_counts as m
