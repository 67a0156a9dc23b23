-- The child's details can be corrected after the case opens: a name spelled wrong, a birth date
-- learnt after only the year was known, an interpreter found to be needed. The server may change
-- them (never delete the child), and a new birth date moves the reminder before the child turns
-- 17½, which the application reschedules in the same transaction.

ALTER TABLE children ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();

GRANT UPDATE (first_name, last_name, birth_year, birth_date, gender, language, interpreter_needed,
              updated_at)
  ON children TO tillit_app;
