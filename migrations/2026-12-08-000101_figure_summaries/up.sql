-- The leader's figures of a year are eight aggregates over the service's whole history, which no
-- index makes as cheap as one page (bench/day.sh). They are kept, once worked out, as one row per
-- service and year (only the counts by municipality, as the figures page shows them before
-- suppression), until something they count changes or time moves them on.
--
-- Every write to a table the figures count leaves a row in figure_changes: one per service and
-- transaction, written by a trigger as the writer (whom the row's own table has just let write
-- that service's row, so the same policy lets the change row in), so no writer waits for
-- another. The rows gather until the figures are next read. A kept year is used only while the
-- service has no such row and its `fresh_until` lies ahead (the next meeting of the year to
-- begin, which the figures then count as held, or the next midnight in the service's zone, which
-- moves the evaluations due up to yesterday). Working the figures out again first deletes the
-- change rows it can see, then counts with a later snapshot, so a change is always either in
-- the counts or still in figure_changes.

CREATE TABLE figure_summaries (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  year        integer NOT NULL,
  -- The zone the year was counted in; another zone is another count.
  time_zone   text NOT NULL,
  counts      jsonb NOT NULL,
  monthly     jsonb NOT NULL,
  fresh_until timestamptz NOT NULL,
  computed_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, year)
);
ALTER TABLE figure_summaries ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON figure_summaries
  USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));
GRANT SELECT, INSERT, UPDATE, DELETE ON figure_summaries TO tillit_app;

CREATE TABLE figure_changes (
  tenant_id uuid NOT NULL,
  tx        xid8 NOT NULL,
  PRIMARY KEY (tenant_id, tx)
);
ALTER TABLE figure_changes ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON figure_changes
  USING (tenant_id = (SELECT app_tenant_id())) WITH CHECK (tenant_id = (SELECT app_tenant_id()));
GRANT SELECT, INSERT, DELETE ON figure_changes TO tillit_app;

CREATE FUNCTION figures_changed() RETURNS trigger
  LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO public.figure_changes (tenant_id, tx)
  VALUES (CASE WHEN TG_OP = 'DELETE' THEN OLD.tenant_id ELSE NEW.tenant_id END,
          pg_current_xact_id())
  ON CONFLICT DO NOTHING;
  RETURN NULL;
END $$;

CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON cases
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON map_revisions
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON councils
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON costly_measures
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON network_checks
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON council_invitations
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON council_answers
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON council_participants
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON council_meetings
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON plans
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON plan_versions
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON plan_evaluations
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON recruitment_candidates
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
CREATE TRIGGER figures_changed AFTER INSERT OR UPDATE OR DELETE ON recruitment_steps
  FOR EACH ROW EXECUTE FUNCTION figures_changed();
