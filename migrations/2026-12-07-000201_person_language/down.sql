REVOKE UPDATE (language, interpreter) ON network_persons FROM tillit_app;
ALTER TABLE network_persons DROP COLUMN interpreter, DROP COLUMN language;

ALTER TABLE users NO FORCE ROW LEVEL SECURITY;
UPDATE users SET lang = 'nb' WHERE lang = 'nn';
ALTER TABLE users FORCE ROW LEVEL SECURITY;
ALTER TABLE users DROP CONSTRAINT users_lang_check;
ALTER TABLE users ADD CONSTRAINT users_lang_check CHECK (lang IN ('nb', 'en'));

ALTER TABLE tenants NO FORCE ROW LEVEL SECURITY;
UPDATE tenants SET locale = 'nb' WHERE locale = 'nn';
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
ALTER TABLE tenants DROP CONSTRAINT tenants_locale_check;
ALTER TABLE tenants ADD CONSTRAINT tenants_locale_check CHECK (locale IN ('nb', 'en'));
