-- Schema version 1: the canonical tables of the data contract, the import audit, rejects,
-- superseded rows and the outcome status history. One statement per ';'-terminated block.

create table if not exists meta (
    key varchar primary key,
    value varchar
);

create sequence if not exists import_id_seq start 1;

-- One row per file import that was not refused: what was read and what became of it.
create table if not exists imports (
    import_id integer primary key,
    imported_at timestamp not null,
    file_name varchar not null,
    sha256 varchar not null,
    table_name varchar not null,
    file_format varchar not null,
    encoding varchar,
    delimiter varchar,
    date_order varchar,
    decimal_comma boolean,
    headers varchar[],
    matched_columns varchar[],
    ignored_columns varchar[],
    rows_read bigint not null,
    inserted bigint not null,
    updated bigint not null,
    unchanged bigint not null,
    superseded bigint not null,
    rejected bigint not null
);

-- One row per broken rule of a rejected row (a row can break several); raw_values in file order.
create table if not exists rejects (
    import_id integer not null,
    line_no bigint not null,
    column_name varchar,
    header varchar,
    value varchar,
    reason varchar not null,
    raw_values varchar[]
);

-- Rows that lost to a later row with the same key in the same file.
create table if not exists superseded_rows (
    import_id integer not null,
    line_no bigint not null,
    record_key varchar not null,
    kept_line_no bigint not null
);

create table if not exists techs (
    tech_id varchar not null,
    tech_name varchar,
    branch varchar,
    region varchar,
    manager varchar,
    hired_on date,
    active boolean not null default true,
    import_id integer
);

create table if not exists leads (
    lead_id varchar not null,
    submitted_at date not null,
    tech_id varchar not null,
    tech_name varchar,
    branch varchar,
    customer_id varchar,
    customer_name varchar,
    lead_type varchar not null,
    lead_type_raw varchar,
    estimated_value decimal(18, 2),
    sales_rep varchar,
    job_id varchar,
    description varchar,
    import_id integer
);

create table if not exists outcomes (
    lead_id varchar not null,
    status varchar not null,
    status_raw varchar,
    contacted_at date,
    closed_at date,
    revenue decimal(18, 2),
    gross_margin decimal(18, 2),
    sales_rep varchar,
    loss_reason varchar,
    updated_at date,
    import_id integer
);

-- Every state an outcome has had: one row per lead and import that brought a new status.
create table if not exists outcome_history (
    lead_id varchar not null,
    import_id integer not null,
    status varchar not null,
    previous_status varchar,
    contacted_at date,
    closed_at date,
    revenue decimal(18, 2),
    updated_at date,
    recorded_at timestamp not null
);

create table if not exists payouts (
    payout_id varchar not null,
    tech_id varchar not null,
    lead_id varchar,
    paid_on date not null,
    amount decimal(18, 2) not null,
    reason varchar,
    import_id integer
);

create table if not exists jobs (
    job_id varchar not null,
    tech_id varchar not null,
    completed_at date not null,
    branch varchar,
    import_id integer
);

create table if not exists attendance (
    meeting_date date not null,
    person_id varchar not null,
    role varchar,
    attended boolean not null,
    import_id integer
);

-- Word maps from the contract, refreshed from leadbridge/contract.py on every read-write open.
create table if not exists status_words (
    word varchar primary key,
    status varchar not null
);

create table if not exists lead_type_words (
    word varchar primary key,
    lead_type varchar not null
);
