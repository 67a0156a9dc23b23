-- What already happened, written down: a meeting held without invitations through Tillit is
-- recorded afterwards with why; a consent may have been given orally (who recorded it and when
-- are the row's recorded_by and created_at); and each meeting has its record: who came, what was
-- decided, notes with whom they may be shared, and the next meeting booked from it.

ALTER TABLE council_meetings
  ADD COLUMN recorded_afterwards_reason text
    CHECK (recorded_afterwards_reason IS NULL OR length(btrim(recorded_afterwards_reason)) BETWEEN 1 AND 1000);
GRANT UPDATE (recorded_afterwards_reason) ON council_meetings TO tillit_app;

ALTER TABLE council_consents
  ADD COLUMN oral boolean NOT NULL DEFAULT false;

CREATE TABLE council_meeting_records (
  tenant_id          uuid NOT NULL,
  meeting_id         uuid NOT NULL,
  council_id         uuid NOT NULL,
  decisions          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(decisions) = 'array'),
  notes              text CHECK (notes IS NULL OR length(btrim(notes)) BETWEEN 1 AND 8000),
  notes_shared_with  text NOT NULL DEFAULT 'staff' CHECK (notes_shared_with IN ('staff', 'team', 'private_side')),
  next_meeting_id    uuid,
  recorded_by        uuid NOT NULL,
  created_at         timestamptz NOT NULL DEFAULT now(),
  updated_at         timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, meeting_id),
  UNIQUE (tenant_id, council_id, meeting_id),
  FOREIGN KEY (tenant_id, council_id, meeting_id) REFERENCES council_meetings (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, council_id, next_meeting_id) REFERENCES council_meetings (tenant_id, council_id, id),
  FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id),
  CHECK (next_meeting_id IS NULL OR next_meeting_id <> meeting_id)
);

-- Who came: participants of the same council (the foreign key holds it to the council's team).
CREATE TABLE council_meeting_attendees (
  tenant_id       uuid NOT NULL,
  meeting_id      uuid NOT NULL,
  participant_id  uuid NOT NULL,
  council_id      uuid NOT NULL,
  PRIMARY KEY (tenant_id, meeting_id, participant_id),
  FOREIGN KEY (tenant_id, council_id, meeting_id) REFERENCES council_meeting_records (tenant_id, council_id, meeting_id),
  FOREIGN KEY (tenant_id, council_id, participant_id) REFERENCES council_participants (tenant_id, council_id, id)
);

ALTER TABLE council_meeting_records   ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
ALTER TABLE council_meeting_attendees ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON council_meeting_records
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
CREATE POLICY tenant_isolation ON council_meeting_attendees
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

-- A record is corrected in place; the attendance is replaced as a whole when corrected.
GRANT SELECT, INSERT ON council_meeting_records TO tillit_app;
GRANT UPDATE (decisions, notes, notes_shared_with, next_meeting_id, recorded_by, updated_at)
  ON council_meeting_records TO tillit_app;
GRANT SELECT, INSERT, DELETE ON council_meeting_attendees TO tillit_app;
