-- A counter of the changes to what the observatory reads (households, their members, periods,
-- events, follow-ups, support measures, persons' birth dates and sexes, linkage clusters): the
-- server keeps the histories it read under the counter's value and reads them again only when
-- it has moved. Kept by the database itself, so that writes from any process (an import on the
-- command line, a retention job) count.

CREATE TABLE data_version (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO data_version (id, n) VALUES (1, 0);
CREATE TRIGGER data_version_households_i AFTER INSERT ON households BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_households_u AFTER UPDATE ON households BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_households_d AFTER DELETE ON households BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_persons_i AFTER INSERT ON persons BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_persons_u AFTER UPDATE ON persons BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_persons_d AFTER DELETE ON persons BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_household_members_i AFTER INSERT ON household_members BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_household_members_u AFTER UPDATE ON household_members BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_household_members_d AFTER DELETE ON household_members BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_situation_periods_i AFTER INSERT ON situation_periods BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_situation_periods_u AFTER UPDATE ON situation_periods BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_situation_periods_d AFTER DELETE ON situation_periods BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_household_events_i AFTER INSERT ON household_events BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_household_events_u AFTER UPDATE ON household_events BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_household_events_d AFTER DELETE ON household_events BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_follows_i AFTER INSERT ON follows BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_follows_u AFTER UPDATE ON follows BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_follows_d AFTER DELETE ON follows BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_measures_i AFTER INSERT ON measures BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_measures_u AFTER UPDATE ON measures BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_measures_d AFTER DELETE ON measures BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_person_clusters_i AFTER INSERT ON person_clusters BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_person_clusters_u AFTER UPDATE ON person_clusters BEGIN UPDATE data_version SET n = n + 1; END;
CREATE TRIGGER data_version_person_clusters_d AFTER DELETE ON person_clusters BEGIN UPDATE data_version SET n = n + 1; END;
