REVOKE UPDATE (preferred_channel, email_too) ON network_persons FROM tillit_app;
ALTER TABLE network_persons DROP COLUMN email_too, DROP COLUMN preferred_channel;
