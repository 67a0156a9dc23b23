-- Answers given by phone or in person: the coordinator records them on the participant's behalf.
-- `recorded_by` is the staff member who did (null for an answer the participant gave through their
-- own link, which also clears it), `recorded_how` how the answer was given.

ALTER TABLE council_answers
  ADD COLUMN recorded_by uuid,
  ADD COLUMN recorded_how text CHECK (recorded_how IN ('phone', 'in_person')),
  ADD CONSTRAINT council_answers_recorded_together
    CHECK ((recorded_by IS NULL) = (recorded_how IS NULL)),
  ADD CONSTRAINT council_answers_recorded_by_fkey
    FOREIGN KEY (tenant_id, recorded_by) REFERENCES users (tenant_id, id);
GRANT UPDATE (recorded_by, recorded_how) ON council_answers TO tillit_app;
