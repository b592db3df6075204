-- A pair's number is never given to another pair: the queue is recomputed by every run, and a
-- number seen on a screen, in a notice or in the access log must keep meaning one pair. SQLite
-- reuses the largest rowid once its row is deleted unless the key is AUTOINCREMENT, which only a
-- new table can declare. (PostgreSQL's identity column never reuses a value.)

CREATE TABLE link_candidates_numbered (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    person_a INTEGER NOT NULL REFERENCES persons (id),
    person_b INTEGER NOT NULL REFERENCES persons (id),
    probability REAL NOT NULL,
    explanation TEXT NOT NULL,
    computed_at TEXT NOT NULL
);
INSERT INTO link_candidates_numbered (id, person_a, person_b, probability, explanation, computed_at)
    SELECT id, person_a, person_b, probability, explanation, computed_at FROM link_candidates;
DROP TABLE link_candidates;
ALTER TABLE link_candidates_numbered RENAME TO link_candidates;
CREATE UNIQUE INDEX link_candidates_pair ON link_candidates (person_a, person_b);
