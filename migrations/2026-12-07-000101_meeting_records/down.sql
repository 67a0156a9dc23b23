DROP TABLE council_meeting_attendees;
DROP TABLE council_meeting_records;
ALTER TABLE council_consents DROP COLUMN oral;
ALTER TABLE council_meetings DROP COLUMN recorded_afterwards_reason;
