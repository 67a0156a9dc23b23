ALTER TABLE council_answers
  DROP CONSTRAINT council_answers_recorded_by_fkey,
  DROP CONSTRAINT council_answers_recorded_together,
  DROP COLUMN recorded_how,
  DROP COLUMN recorded_by;
