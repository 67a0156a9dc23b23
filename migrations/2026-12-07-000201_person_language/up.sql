-- Each person's language. A service writes bokmål or nynorsk (its written standard, `locale`;
-- English stays allowed for services that chose it before); a staff member reads their emails in
-- their own language (`users.lang`), and now nynorsk too. A person on the map has a language of
-- their own (NULL: the service's standard) and may need an interpreter (the language to book one
-- for, in words: "arabisk", "tigrinja").

ALTER TABLE tenants DROP CONSTRAINT tenants_locale_check;
ALTER TABLE tenants ADD CONSTRAINT tenants_locale_check CHECK (locale IN ('nb', 'nn', 'en'));

ALTER TABLE users DROP CONSTRAINT users_lang_check;
ALTER TABLE users ADD CONSTRAINT users_lang_check CHECK (lang IN ('nb', 'nn', 'en'));

ALTER TABLE network_persons
  ADD COLUMN language text CHECK (language IS NULL OR language IN ('nb', 'nn', 'en')),
  ADD COLUMN interpreter text
    CHECK (interpreter IS NULL OR length(btrim(interpreter)) BETWEEN 1 AND 60);

GRANT UPDATE (language, interpreter) ON network_persons TO tillit_app;
