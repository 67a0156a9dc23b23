DROP TABLE acute_openings;
ALTER TABLE cases DROP COLUMN where_child_can_go;
ALTER TABLE network_persons DROP COLUMN reachable_when, DROP COLUMN can_take_child;
UPDATE users SET role = 'caseworker' WHERE role = 'on_call';
ALTER TABLE users DROP CONSTRAINT users_role_check;
ALTER TABLE users ADD CONSTRAINT users_role_check
  CHECK (role IN ('tenant_admin', 'leader', 'caseworker', 'coordinator', 'foster_care'));
DELETE FROM api_keys WHERE role = 'on_call';
ALTER TABLE api_keys DROP CONSTRAINT api_keys_role_check;
ALTER TABLE api_keys ADD CONSTRAINT api_keys_role_check
  CHECK (role IN ('tenant_admin', 'leader', 'caseworker', 'coordinator', 'foster_care'));
