UPDATE costly_measures SET kind = 'foster_home'
 WHERE kind IN ('kinship_foster_home', 'network_foster_home');
ALTER TABLE costly_measures DROP CONSTRAINT costly_measures_kind_check;
ALTER TABLE costly_measures ADD CONSTRAINT costly_measures_kind_check
  CHECK (kind IN ('foster_home', 'institution', 'other'));
