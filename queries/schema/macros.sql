-- Value parsers of the data contract, one macro per kind of value. Every export value arrives as
-- text; these turn it into a typed value, or NULL when it cannot be read (the import then rejects
-- the row with the reason from the matching *_reason macro). Recreated on every read-write open.

-- Text: trimmed, empty -> NULL.
create or replace macro lb_text(s) as nullif(trim(s), '');

-- IDs stay text: leading zeros survive and a spreadsheet's 1234.0 becomes 1234.
create or replace macro lb_id(s) as regexp_replace(nullif(trim(s), ''), '^([0-9]+)\.0+$', '\1');

-- Words (statuses, lead types) compared as lowercase words separated by one space.
create or replace macro lb_word(s) as nullif(trim(regexp_replace(lower(s), '[^0-9a-z]+', ' ', 'g')), '');

-- Header comparison key (contract.normalize_header): lowercase letters and digits only.
create or replace macro lb_header_key(s) as regexp_replace(lower(s), '[^0-9a-z]+', '', 'g');

create or replace macro lb_bool(s, true_words, false_words) as (
    case
        when list_contains(true_words, lower(trim(s))) then true
        when list_contains(false_words, lower(trim(s))) then false
    end
);

-- Slashed or dashed day/month dates (03/04/2026): their order is the file's date order.
create or replace macro lb_is_slashed(s) as regexp_matches(s, '^\s*\d{1,2}[/-]\d{1,2}[/-]\d{4}(?:[ T].*)?$');

create or replace macro lb_date_any(s, date_order, excel) as (
    case
        when s is null then null
        when regexp_matches(s, '^\s*\d{4}-\d{1,2}-\d{1,2}(?:[ T].*)?$')
            then try_strptime(regexp_extract(s, '\d{4}-\d{1,2}-\d{1,2}'), '%Y-%m-%d')
        when regexp_matches(s, '^\s*\d{4}/\d{1,2}/\d{1,2}(?:[ T].*)?$')
            then try_strptime(regexp_extract(s, '\d{4}/\d{1,2}/\d{1,2}'), '%Y/%m/%d')
        when lb_is_slashed(s) then (
            case date_order
                when 'MDY' then try_strptime(
                    replace(regexp_extract(s, '\d{1,2}[/-]\d{1,2}[/-]\d{4}'), '-', '/'), '%m/%d/%Y')
                when 'DMY' then try_strptime(
                    replace(regexp_extract(s, '\d{1,2}[/-]\d{1,2}[/-]\d{4}'), '-', '/'), '%d/%m/%Y')
            end
        )
        when regexp_matches(s, '^\s*\d{1,2}\.\d{1,2}\.\d{4}(?:[ T].*)?$')
            then try_strptime(regexp_extract(s, '\d{1,2}\.\d{1,2}\.\d{4}'), '%d.%m.%Y')
        when regexp_matches(s, '^\s*\d{1,2}[- ][A-Za-z]{3,9}\.?[- ]\d{4}\s*$')
            then try_strptime(
                regexp_replace(trim(s), '^(\d{1,2})[- ]([A-Za-z]{3,9})\.?[- ](\d{4})$', '\1 \2 \3'),
                ['%d %b %Y', '%d %B %Y'])
        when regexp_matches(s, '^\s*[A-Za-z]{3,9}\.? \d{1,2},? \d{4}\s*$')
            then try_strptime(
                regexp_replace(trim(s), '^([A-Za-z]{3,9})\.? (\d{1,2}),? (\d{4})$', '\1 \2 \3'),
                ['%b %d %Y', '%B %d %Y'])
        -- A spreadsheet date cell that arrives as its serial number (days since 1899-12-30).
        when excel and regexp_matches(s, '^\s*\d{5}(?:\.\d+)?\s*$')
            then date '1899-12-30' + cast(floor(cast(s as double)) as integer)
    end
);

-- Dates outside 1900..2100 are typos, not dates.
create or replace macro lb_date_in_range(t) as (
    case when year(t) between 1900 and 2100 then cast(t as date) end
);

-- The shapes nearly every export uses (2026-03-04, 2026-03-04T10:30:00Z, 03/04/2026 in the file's
-- order) are read at once; they read the same through lb_date_any, which takes every other shape.
create or replace macro lb_date(s, date_order, excel) as lb_date_in_range(
    case
        when regexp_full_match(s, '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[ T].*)?')
            then try_strptime(left(s, 10), '%Y-%m-%d')
        when date_order = 'MDY' and regexp_full_match(s, '[0-9]{2}/[0-9]{2}/[0-9]{4}')
            then try_strptime(s, '%m/%d/%Y')
        when date_order = 'DMY' and regexp_full_match(s, '[0-9]{2}/[0-9]{2}/[0-9]{4}')
            then try_strptime(s, '%d/%m/%Y')
        else lb_date_any(s, date_order, excel)
    end
);

create or replace macro lb_date_reason(s) as (
    case
        when regexp_matches(s, '^\s*\d{1,2}[/.-]\d{1,2}[/.-]\d{2}(?:[ T].*)?$')
            then 'two-digit year is ambiguous: write the year in full, e.g. 03/04/2026 or 2026-03-04'
        else 'not a date LeadBridge can read: use e.g. 2026-03-04, 03/04/2026, 04.03.2026 or 4-Mar-2026'
    end
);

-- Money: currency symbols or codes, thousands separators, decimal point or comma, a minus sign
-- or parentheses for negatives.
create or replace macro lb_money_shape(s) as regexp_matches(
    s,
    '^\s*\(?\s*-?\s*(?:[$€£¥]|USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|MXN)?\s*-?\s*[0-9][0-9.,\s\x{00A0}\x{202F}'']*\s*(?:[$€£¥]|USD|EUR|GBP|CAD|AUD|NZD|CHF|SEK|NOK|DKK|MXN)?\s*-?\s*\)?\s*$'
);

create or replace macro lb_money_digits(s) as regexp_replace(s, '[^0-9.,]', '', 'g');

create or replace macro lb_money_written(s, decimal_comma) as (
    case
        when s is null or not lb_money_shape(s) then null
        when decimal_comma and regexp_matches(lb_money_digits(s), '^(?:\d{1,3}(?:\.\d{3})+|\d+)(?:,\d+)?$')
            then try_cast(replace(replace(lb_money_digits(s), '.', ''), ',', '.') as decimal(18, 2))
        when not decimal_comma and regexp_matches(lb_money_digits(s), '^(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$')
            then try_cast(replace(lb_money_digits(s), ',', '') as decimal(18, 2))
    end * (case when regexp_matches(s, '^\s*\(.*\)\s*$') or contains(s, '-') then -1 else 1 end)
);

-- A plain amount with a decimal point (1234.50, $1,234.50: the usual cases) is cast at once; it
-- reads the same through lb_money_written, which takes every other way of writing one.
create or replace macro lb_money(s, decimal_comma) as (
    case
        when not decimal_comma and regexp_full_match(s, '\$?(?:[0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.[0-9]+)?')
            then try_cast(replace(replace(s, '$', ''), ',', '') as decimal(18, 2))
        else lb_money_written(s, decimal_comma)
    end
);

create or replace macro lb_money_reason(s, decimal_comma) as (
    case
        when decimal_comma then 'not an amount LeadBridge can read (this file uses a decimal comma): use e.g. 1.234,50'
        else 'not an amount LeadBridge can read: use e.g. 1234.50, $1,234.50 or (1,234.50) for a negative'
    end
);

-- One broken rule of a row, as the import stores it.
create or replace macro lb_problem(col, val, why) as {'column_name': col, 'value': val, 'reason': why};

-- Filters: an empty choice list means "all"; a NULL value never matches a non-empty list.
create or replace macro lb_selected(choices, value) as (
    len(cast(choices as varchar[])) = 0 or list_contains(cast(choices as varchar[]), value)
);

-- Access scope: the branches the person asking may see, NULL for every branch (an exec, the
-- command line). Unlike a filter, an empty scope sees nothing. Every query that returns rows of a
-- branch applies it itself: `where lb_in_scope($scope, branch)`.
create or replace macro lb_in_scope(scope, branch) as (
    scope is null or list_contains(cast(scope as varchar[]), branch)
);

-- Wilson score interval of a conversion rate, 95 % (z = 1.959964); NULL when there are no leads.
create or replace macro lb_wilson_low(won, n) as (
    case when n > 0 then
        (won / n + 1.959964 ^ 2 / (2 * n)
         - 1.959964 * sqrt((won / n) * (1 - won / n) / n + 1.959964 ^ 2 / (4 * n * n)))
        / (1 + 1.959964 ^ 2 / n)
    end
);

create or replace macro lb_wilson_high(won, n) as (
    case when n > 0 then
        (won / n + 1.959964 ^ 2 / (2 * n)
         + 1.959964 * sqrt((won / n) * (1 - won / n) / n + 1.959964 ^ 2 / (4 * n * n)))
        / (1 + 1.959964 ^ 2 / n)
    end
);
