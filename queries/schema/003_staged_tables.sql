-- Schema version 3: the staging models are stored as tables (leadbridge/db.py, STAGED_TABLES),
-- built on open and rebuilt after each import; the views of versions 1 and 2 make way for them.

drop view if exists stg_payouts;

drop view if exists stg_techs;

drop view if exists stg_leads;
