ALTER TABLE council_meetings DROP COLUMN IF EXISTS moved_at;
