-- A person's households, found by the person: the linkage run reads each person's current
-- household (two correlated sub-selects per person), the duplicates queue and the files' links
-- the households of a pair. Without it each lookup read the whole membership table: `parcours
-- link run` spent 90 s of its 99 s on that at 20,000 households.
CREATE INDEX household_members_person ON household_members (person_id);
