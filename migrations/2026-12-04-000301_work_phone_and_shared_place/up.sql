-- Who to call and where to go. A staff member may record a work phone, which the invitee page of
-- the councils they coordinate shows ("who to call"). A meeting's place is shared in the calendar
-- file only when the coordinator chose so for that meeting: the file travels into calendars that
-- other people (a partner, an employer's assistant) may see, so the default keeps it out.

ALTER TABLE users
  ADD COLUMN work_phone text CHECK (work_phone ~ '^\+[1-9][0-9]{6,14}$');
GRANT UPDATE (work_phone) ON users TO tillit_app;

ALTER TABLE council_meetings
  ADD COLUMN place_shared boolean NOT NULL DEFAULT false;
GRANT UPDATE (place_shared) ON council_meetings TO tillit_app;
