-- Grain: one row per earlier import of a file with this content (SHA-256), newest first; the drop
-- folder's "already imported" check.
select import_id, imported_at, file_name, table_name
from imports
where sha256 = $sha256
order by import_id desc
