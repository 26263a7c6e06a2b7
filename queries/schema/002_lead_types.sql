-- Schema version 2: the lead types with the names people read, in the contract's order
-- (refreshed from leadbridge/contract.py on every read-write open, like the word maps).

create table if not exists lead_types (
    lead_type varchar primary key,
    label varchar not null,
    sort_order integer not null
);
