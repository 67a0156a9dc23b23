-- How each person on a map prefers to be reached: by email, by SMS, by a letter, or by a phone
-- call from the coordinator; and whether an email should go too when the preferred way is
-- another and the person has an address. People mapped before this migration keep email where
-- they have one, else SMS where they have a number, else a letter where they have an address,
-- else a call. The backfill runs with row-level security relaxed for the owner for the length of
-- this migration only.

ALTER TABLE network_persons
  ADD COLUMN preferred_channel text NOT NULL DEFAULT 'email'
    CHECK (preferred_channel IN ('email', 'sms', 'letter', 'call')),
  ADD COLUMN email_too boolean NOT NULL DEFAULT false;

ALTER TABLE network_persons NO FORCE ROW LEVEL SECURITY;
UPDATE network_persons
   SET preferred_channel = CASE
         WHEN email IS NOT NULL THEN 'email'
         WHEN phone IS NOT NULL THEN 'sms'
         WHEN address IS NOT NULL THEN 'letter'
         ELSE 'call'
       END;
ALTER TABLE network_persons FORCE ROW LEVEL SECURITY;

GRANT UPDATE (preferred_channel, email_too) ON network_persons TO tillit_app;
