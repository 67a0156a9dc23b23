-- The sender an SMS shows, set by the service's admin: at most 11 letters or digits, GSM's limit
-- for an alphanumeric sender. Without it the sender is derived from the sender name.
ALTER TABLE tenants ADD COLUMN sms_sender text
  CHECK (sms_sender IS NULL OR sms_sender ~ '^[A-Za-z0-9]{1,11}$');
GRANT UPDATE (sms_sender) ON tenants TO tillit_app;

-- Every SMS that went out, by which gateway, when, and what the gateway's delivery reports say of
-- it: the council page shows per participant whether their SMS was sent, delivered or failed. The
-- id is the id of the job row that sent it; the report names the gateway's id, and both must
-- match before a report changes anything.

CREATE TABLE sms_messages (
  tenant_id     uuid NOT NULL REFERENCES tenants (id),
  id            uuid NOT NULL,
  recipient_id  uuid NOT NULL,
  subject_kind  text NOT NULL,
  subject_id    uuid NOT NULL,
  purpose       text NOT NULL,
  gateway       text NOT NULL,
  gateway_id    text NOT NULL,
  status        text NOT NULL DEFAULT 'sent' CHECK (status IN ('sent', 'delivered', 'failed')),
  result_code   bigint,
  sent_at       timestamptz NOT NULL DEFAULT now(),
  reported_at   timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX sms_messages_subject ON sms_messages (tenant_id, subject_id, recipient_id);

ALTER TABLE sms_messages ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sms_messages
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());

GRANT SELECT, INSERT ON sms_messages TO tillit_app;
GRANT UPDATE (status, result_code, reported_at) ON sms_messages TO tillit_app;
