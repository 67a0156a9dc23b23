-- When a confirmed meeting was last moved. A message about the meeting says it "changed" only
-- to someone invited before then (they hold the older copy); someone invited after it, or after
-- a withdrawal raised the calendar SEQUENCE, is simply invited.
ALTER TABLE council_meetings ADD COLUMN moved_at timestamptz;
-- The meetings already moved: the last change of a meeting sent again stands in for the move.
UPDATE council_meetings SET moved_at = updated_at WHERE sequence > 0 AND status <> 'cancelled';
GRANT UPDATE (moved_at) ON council_meetings TO tillit_app;
