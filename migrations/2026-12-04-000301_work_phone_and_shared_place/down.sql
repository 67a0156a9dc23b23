ALTER TABLE council_meetings DROP COLUMN place_shared;
ALTER TABLE users DROP COLUMN work_phone;
