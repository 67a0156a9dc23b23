-- Single sign-on: a service's OpenID Connect provider (its client secret sealed with a key derived
-- from TILLIT_SECRET_KEY, never shown again), an optional mapping from the provider's groups to
-- roles, and whether password login stays open beside it. A person signed in through the provider
-- is remembered by the provider's subject, linked to the account that was invited.

CREATE TABLE sso_providers (
  tenant_id             uuid NOT NULL REFERENCES tenants (id),
  label                 text NOT NULL CHECK (length(label) BETWEEN 1 AND 60),
  issuer                text NOT NULL CHECK (length(issuer) BETWEEN 1 AND 300),
  client_id             text NOT NULL CHECK (length(client_id) BETWEEN 1 AND 200),
  client_secret_sealed  bytea NOT NULL,
  -- [["group name", "role"], …]: the first of the person's groups in this order gives the role.
  group_roles           jsonb NOT NULL DEFAULT '[]',
  password_login        boolean NOT NULL DEFAULT true,
  updated_at            timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id)
);
ALTER TABLE sso_providers ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sso_providers
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, UPDATE, DELETE ON sso_providers TO tillit_app;

CREATE TABLE sso_identities (
  tenant_id   uuid NOT NULL REFERENCES tenants (id),
  subject     text NOT NULL CHECK (length(subject) BETWEEN 1 AND 255),
  user_id     uuid NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, subject),
  UNIQUE (tenant_id, user_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id)
);
ALTER TABLE sso_identities ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON sso_identities
  USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id());
GRANT SELECT, INSERT, DELETE ON sso_identities TO tillit_app;
