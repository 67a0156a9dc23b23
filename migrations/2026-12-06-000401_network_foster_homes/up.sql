-- Kinship foster homes (slektsfosterhjem) and network foster homes (nettverksfosterhjem) are their
-- own kinds of costly measure beside other foster homes and institutions: a decision for one of
-- them counts as a placement within the child's network in the leader's figures.
ALTER TABLE costly_measures DROP CONSTRAINT costly_measures_kind_check;
ALTER TABLE costly_measures ADD CONSTRAINT costly_measures_kind_check
  CHECK (kind IN ('foster_home', 'kinship_foster_home', 'network_foster_home', 'institution', 'other'));
