-- A second counter, of the changes to what the check at entry keeps (persons, their
-- memberships, households' communes, communes' names): recording a contact, a situation or a
-- measure — most of the day's writes — moves `n` but not `identity`, so the persons the check
-- compares with are not read and normalised again after each of them.

ALTER TABLE data_version ADD COLUMN identity INTEGER NOT NULL DEFAULT 0;

DROP TRIGGER data_version_households_i;
DROP TRIGGER data_version_households_u;
DROP TRIGGER data_version_households_d;
DROP TRIGGER data_version_persons_i;
DROP TRIGGER data_version_persons_u;
DROP TRIGGER data_version_persons_d;
DROP TRIGGER data_version_household_members_i;
DROP TRIGGER data_version_household_members_u;
DROP TRIGGER data_version_household_members_d;
CREATE TRIGGER data_version_households_i AFTER INSERT ON households BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER data_version_households_u AFTER UPDATE ON households BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER data_version_households_d AFTER DELETE ON households BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER data_version_persons_i AFTER INSERT ON persons BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER data_version_persons_u AFTER UPDATE ON persons BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER data_version_persons_d AFTER DELETE ON persons BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER data_version_household_members_i AFTER INSERT ON household_members BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER data_version_household_members_u AFTER UPDATE ON household_members BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER data_version_household_members_d AFTER DELETE ON household_members BEGIN UPDATE data_version SET n = n + 1, identity = identity + 1; END;
CREATE TRIGGER identity_version_communes_i AFTER INSERT ON communes BEGIN UPDATE data_version SET identity = identity + 1; END;
CREATE TRIGGER identity_version_communes_u AFTER UPDATE ON communes BEGIN UPDATE data_version SET identity = identity + 1; END;
CREATE TRIGGER identity_version_communes_d AFTER DELETE ON communes BEGIN UPDATE data_version SET identity = identity + 1; END;
