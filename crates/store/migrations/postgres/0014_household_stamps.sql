-- Which households changed, and when (a stamp that grows with every change): the observatory
-- keeps every household's history between requests (ADR 0010) and, when the data version has
-- moved, reads again only the households whose stamp moved, instead of the whole store (0.7 s
-- at 20,000 households, tens of seconds at a million). Kept by triggers on every table the
-- histories and the linkage groups read, so that writes from any process count.

CREATE TABLE household_stamps (
    household_id BIGINT PRIMARY KEY,
    stamp BIGINT NOT NULL
);
CREATE SEQUENCE household_stamp_seq;

-- Statement triggers: the changed rows are the transition tables new_rows and old_rows (as the
-- operation has them). TG_ARGV[0] names the column holding the household, or (for persons and
-- linkage groups) the person, whose households are stamped.
CREATE FUNCTION household_stamps_of() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    rows_of text;
    households text;
BEGIN
    FOREACH rows_of IN ARRAY CASE TG_OP WHEN 'INSERT' THEN ARRAY['new_rows'] WHEN 'DELETE' THEN ARRAY['old_rows']
                                        ELSE ARRAY['new_rows', 'old_rows'] END LOOP
        households := CASE TG_ARGV[1]
            WHEN 'person' THEN format('SELECT m.household_id FROM household_members m WHERE m.person_id IN (SELECT %I FROM %I)',
                                      TG_ARGV[0], rows_of)
            ELSE format('SELECT %I FROM %I', TG_ARGV[0], rows_of) END;
        EXECUTE format('INSERT INTO household_stamps (household_id, stamp)
                        SELECT h, nextval(''household_stamp_seq'') FROM (SELECT DISTINCT h FROM (%s) AS c (h)) d
                        ON CONFLICT (household_id) DO UPDATE SET stamp = excluded.stamp', households);
    END LOOP;
    RETURN NULL;
END;
$$;
-- TRUNCATE has no transition table: every household is stamped
CREATE FUNCTION household_stamps_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO household_stamps (household_id, stamp)
        SELECT id, nextval('household_stamp_seq') FROM households
        ON CONFLICT (household_id) DO UPDATE SET stamp = excluded.stamp;
    RETURN NULL;
END;
$$;
CREATE TRIGGER household_stamps_situation_periods_i AFTER INSERT ON situation_periods REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_situation_periods_u AFTER UPDATE ON situation_periods REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_situation_periods_d AFTER DELETE ON situation_periods REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_situation_periods_t AFTER TRUNCATE ON situation_periods
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_all();
CREATE TRIGGER household_stamps_household_events_i AFTER INSERT ON household_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_household_events_u AFTER UPDATE ON household_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_household_events_d AFTER DELETE ON household_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_household_events_t AFTER TRUNCATE ON household_events
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_all();
CREATE TRIGGER household_stamps_follows_i AFTER INSERT ON follows REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_follows_u AFTER UPDATE ON follows REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_follows_d AFTER DELETE ON follows REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_follows_t AFTER TRUNCATE ON follows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_all();
CREATE TRIGGER household_stamps_measures_i AFTER INSERT ON measures REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_measures_u AFTER UPDATE ON measures REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_measures_d AFTER DELETE ON measures REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_measures_t AFTER TRUNCATE ON measures
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_all();
CREATE TRIGGER household_stamps_household_members_i AFTER INSERT ON household_members REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_household_members_u AFTER UPDATE ON household_members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_household_members_d AFTER DELETE ON household_members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('household_id');
CREATE TRIGGER household_stamps_household_members_t AFTER TRUNCATE ON household_members
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_all();
CREATE TRIGGER household_stamps_households_i AFTER INSERT ON households REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('id');
CREATE TRIGGER household_stamps_households_u AFTER UPDATE ON households REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('id');
CREATE TRIGGER household_stamps_households_d AFTER DELETE ON households REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('id');
CREATE TRIGGER household_stamps_persons_i AFTER INSERT ON persons REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('id', 'person');
CREATE TRIGGER household_stamps_persons_u AFTER UPDATE ON persons REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('id', 'person');
CREATE TRIGGER household_stamps_persons_d AFTER DELETE ON persons REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('id', 'person');
CREATE TRIGGER household_stamps_persons_t AFTER TRUNCATE ON persons
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_all();
CREATE TRIGGER household_stamps_person_clusters_i AFTER INSERT ON person_clusters REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('person_id', 'person');
CREATE TRIGGER household_stamps_person_clusters_u AFTER UPDATE ON person_clusters REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('person_id', 'person');
CREATE TRIGGER household_stamps_person_clusters_d AFTER DELETE ON person_clusters REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_of('person_id', 'person');
CREATE TRIGGER household_stamps_person_clusters_t AFTER TRUNCATE ON person_clusters
    FOR EACH STATEMENT EXECUTE FUNCTION household_stamps_all();
