-- Background jobs: PostgreSQL remembers, Redis delivers.
--
-- Every notification and timed trigger is a row here, written in the same transaction as the
-- change that causes it. A dispatcher claims due rows across tenants (platform_claim_due_jobs),
-- hands them to the workers through Redis, and a worker finishes a row inside its tenant's
-- transaction. A claim is a lease: if it runs out (a worker died, Redis lost the message) the row
-- is due again. `attempts` counts claims and fences stale deliveries.

-- The service's own settings for messages and timing.
ALTER TABLE tenants
  ADD COLUMN sender_name           text CHECK (sender_name IS NULL OR length(btrim(sender_name)) BETWEEN 1 AND 100),
  ADD COLUMN reply_to              text CHECK (reply_to IS NULL OR position('@' IN reply_to) > 1),
  -- No email leaves between quiet_start and quiet_end (local hours, tenant's time zone).
  ADD COLUMN quiet_start_hour      smallint NOT NULL DEFAULT 21 CHECK (quiet_start_hour BETWEEN 0 AND 23),
  ADD COLUMN quiet_end_hour        smallint NOT NULL DEFAULT 7  CHECK (quiet_end_hour BETWEEN 0 AND 23),
  ADD COLUMN meeting_minutes       integer  NOT NULL DEFAULT 180 CHECK (meeting_minutes BETWEEN 15 AND 720),
  -- Reminders before a meeting, in days.
  ADD COLUMN reminder_days         integer[] NOT NULL DEFAULT '{7,1}',
  -- Chase a missing answer after this many days, at most chase_max times.
  ADD COLUMN chase_after_days      integer  NOT NULL DEFAULT 3 CHECK (chase_after_days BETWEEN 1 AND 60),
  ADD COLUMN chase_max             integer  NOT NULL DEFAULT 2 CHECK (chase_max BETWEEN 0 AND 10),
  ADD COLUMN map_review_months     integer  NOT NULL DEFAULT 6 CHECK (map_review_months BETWEEN 1 AND 36);

GRANT UPDATE (sender_name, reply_to, quiet_start_hour, quiet_end_hour, meeting_minutes,
              reminder_days, chase_after_days, chase_max, map_review_months)
  ON tenants TO tillit_app;

CREATE TABLE jobs (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  kind          text NOT NULL,
  payload       jsonb NOT NULL DEFAULT '{}'::jsonb,
  -- What the job is about, so a change can replace its pending jobs (a moved meeting's reminders).
  subject_kind  text,
  subject_id    uuid,
  due_at        timestamptz NOT NULL,
  status        text NOT NULL DEFAULT 'pending'
                CHECK (status IN ('pending', 'running', 'done', 'failed', 'cancelled')),
  attempts      integer NOT NULL DEFAULT 0,
  lease_until   timestamptz,
  last_error    text,
  created_at    timestamptz NOT NULL DEFAULT now(),
  finished_at   timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX jobs_due     ON jobs (due_at) WHERE status = 'pending';
CREATE INDEX jobs_leased  ON jobs (lease_until) WHERE status = 'running';
CREATE INDEX jobs_subject ON jobs (tenant_id, subject_kind, subject_id) WHERE status = 'pending';
CREATE INDEX jobs_listing ON jobs (tenant_id, status, due_at DESC);

ALTER TABLE jobs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON jobs
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

GRANT SELECT, INSERT ON jobs TO tillit_app;
GRANT UPDATE (status, attempts, lease_until, last_error, due_at, finished_at) ON jobs TO tillit_app;

-- Claims up to p_limit due rows across all tenants: pending rows whose time has come, and running
-- rows whose lease ran out. SKIP LOCKED: a row a worker is finishing right now is locked by it and
-- is passed over, so two dispatchers (or a slow worker) never share a row.
GRANT SELECT, UPDATE ON jobs TO tillit_platform;
CREATE FUNCTION platform_claim_due_jobs(p_limit integer, p_lease_secs integer)
  RETURNS TABLE (tenant_id uuid, id uuid, kind text, attempts integer)
  LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  UPDATE public.jobs j
     SET status = 'running',
         attempts = j.attempts + 1,
         lease_until = now() + make_interval(secs => greatest(p_lease_secs, 1))
    FROM (SELECT q.tenant_id, q.id FROM public.jobs q
           WHERE (q.status = 'pending' AND q.due_at <= now())
              OR (q.status = 'running' AND q.lease_until < now())
           ORDER BY q.due_at
           LIMIT least(greatest(p_limit, 1), 1000)
           FOR UPDATE SKIP LOCKED) due
   WHERE j.tenant_id = due.tenant_id AND j.id = due.id
  RETURNING j.tenant_id, j.id, j.kind, j.attempts
$$;

-- Figures for /metrics: rows by kind and status, across tenants, without any content.
CREATE FUNCTION platform_job_counts()
  RETURNS TABLE (kind text, status text, n bigint)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT j.kind, j.status, count(*) FROM public.jobs j GROUP BY 1, 2 $$;

REVOKE ALL ON FUNCTION platform_claim_due_jobs(integer, integer) FROM PUBLIC;
REVOKE ALL ON FUNCTION platform_job_counts() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION platform_claim_due_jobs(integer, integer) TO tillit_app;
GRANT EXECUTE ON FUNCTION platform_job_counts() TO tillit_app;

GRANT CREATE ON SCHEMA public TO tillit_platform;
ALTER FUNCTION platform_claim_due_jobs(integer, integer) OWNER TO tillit_platform;
ALTER FUNCTION platform_job_counts() OWNER TO tillit_platform;
REVOKE CREATE ON SCHEMA public FROM tillit_platform;
