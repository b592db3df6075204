-- Record linkage: the engine's clusters (stable ids), the queue of uncertain pairs with their
-- explanation, the reviewers' decisions, and merges. A merge keeps both persons and all they
-- hold: it is a link between two person records, removed whole by an unmerge.

CREATE TABLE person_clusters (
    person_id INTEGER PRIMARY KEY REFERENCES persons (id),
    cluster_id INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX person_clusters_cluster ON person_clusters (cluster_id);

CREATE TABLE link_candidates (
    id INTEGER PRIMARY KEY,
    person_a INTEGER NOT NULL REFERENCES persons (id),
    person_b INTEGER NOT NULL REFERENCES persons (id),
    probability REAL NOT NULL,
    explanation TEXT NOT NULL,
    computed_at TEXT NOT NULL
);
CREATE UNIQUE INDEX link_candidates_pair ON link_candidates (person_a, person_b);

CREATE TABLE link_decisions (
    id INTEGER PRIMARY KEY,
    person_a INTEGER NOT NULL REFERENCES persons (id),
    person_b INTEGER NOT NULL REFERENCES persons (id),
    decision TEXT NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    decided_at TEXT NOT NULL
);
CREATE UNIQUE INDEX link_decisions_pair ON link_decisions (person_a, person_b);
