-- A second counter, of the changes to what the check at entry keeps (persons, their
-- memberships, households' communes, communes' names): recording a contact, a situation or a
-- measure — most of the day's writes — moves `n` but not `identity`, so the persons the check
-- compares with are not read and normalised again after each of them.

ALTER TABLE data_version ADD COLUMN identity BIGINT NOT NULL DEFAULT 0;

CREATE FUNCTION data_and_identity_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET n = n + 1, identity = identity + 1;
    RETURN NULL;
END;
$$;
CREATE FUNCTION identity_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET identity = identity + 1;
    RETURN NULL;
END;
$$;

DROP TRIGGER data_version_households ON households;
DROP TRIGGER data_version_persons ON persons;
DROP TRIGGER data_version_household_members ON household_members;
CREATE TRIGGER data_version_households AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON households
    FOR EACH STATEMENT EXECUTE FUNCTION data_and_identity_version_bump();
CREATE TRIGGER data_version_persons AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON persons
    FOR EACH STATEMENT EXECUTE FUNCTION data_and_identity_version_bump();
CREATE TRIGGER data_version_household_members AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON household_members
    FOR EACH STATEMENT EXECUTE FUNCTION data_and_identity_version_bump();
CREATE TRIGGER identity_version_communes AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON communes
    FOR EACH STATEMENT EXECUTE FUNCTION identity_version_bump();
