-- Evidence for the file's date order and decimal separator; one row for the whole file.
with dates as (
    select unnest(list_value({dates})::varchar[]) as v from stg
),

money as (
    select lb_money_digits(unnest(list_value({money})::varchar[])) as v from stg
),

slashed as (
    select
        cast(regexp_extract(v, '^\s*(\d{1,2})[/-](\d{1,2})', 1) as integer) as first_part,
        cast(regexp_extract(v, '^\s*(\d{1,2})[/-](\d{1,2})', 2) as integer) as second_part,
    from dates
    where lb_is_slashed(v)
)

select
    (select count(*) from slashed) as slashed,
    (select count(*) from slashed where first_part > 12) as day_first,
    (select count(*) from slashed where second_part > 12) as month_first,
    (select count(*) from money where regexp_matches(v, ',\d{1,2}$')) as comma_decimals,
    (select count(*) from money where regexp_matches(v, '\.\d{1,2}$')) as point_decimals,
    (select count(*) from money where regexp_matches(v, '^\d{1,3}(?:\.\d{3})+$')) as dotted_thousands
