DROP TABLE sso_identities;
DROP TABLE sso_providers;
