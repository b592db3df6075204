-- A counter of the changes to what the observatory reads (households, their members, periods,
-- events, follow-ups, support measures, persons' birth dates and sexes, linkage clusters): the
-- server keeps the histories it read under the counter's value and reads them again only when
-- it has moved. Kept by the database itself, so that writes from any process (an import on the
-- command line, a retention job) count.

CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 0);

CREATE FUNCTION data_version_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE data_version SET n = n + 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER data_version_households AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON households
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_persons AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON persons
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_household_members AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON household_members
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_situation_periods AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON situation_periods
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_household_events AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON household_events
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_follows AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON follows
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_measures AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON measures
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
CREATE TRIGGER data_version_person_clusters AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON person_clusters
    FOR EACH STATEMENT EXECUTE FUNCTION data_version_bump();
