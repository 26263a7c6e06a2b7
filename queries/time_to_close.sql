-- Deals won in the period by days from submission to close; one row per bucket (all six, zeros
-- included, plus "date error" when a close date is before submission).
with deals as (
    select days_to_close from lb_deals_won($start, $end, $branches, $lead_types, $techs, $scope)
),

buckets as (
    select * from (values
        (1, '0–7 days', 0, 7),
        (2, '8–14 days', 8, 14),
        (3, '15–30 days', 15, 30),
        (4, '31–60 days', 31, 60),
        (5, '61–90 days', 61, 90),
        (6, 'over 90 days', 91, 1000000)
    ) as b(bucket_order, bucket, low_days, high_days)
),

-- Deals per day count first: the buckets then meet a few hundred rows, not every deal.
by_days as (
    select days_to_close, count(*) as deals_won,
    from deals
    where days_to_close is not null
    group by days_to_close
),

final as (
    select
        b.bucket_order,
        b.bucket,
        cast(coalesce(sum(d.deals_won), 0) as bigint) as deals_won,
    from buckets as b
    left join by_days as d
        on d.days_to_close between b.low_days and b.high_days
    group by all
    union all
    select 7, 'date error', count(*)
    from deals
    where days_to_close is null
    having count(*) > 0
)

select * from final
order by bucket_order
