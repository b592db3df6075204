-- A captured dwelling proposed to a household whose tenancy summary the agency may read, and
-- the answer its référent gives after talking with the household.

CREATE TABLE dwelling_proposals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    dwelling_id INTEGER NOT NULL REFERENCES dwellings (id),
    household_id INTEGER NOT NULL REFERENCES households (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    proposed_by INTEGER REFERENCES users (id),
    proposed_at TEXT NOT NULL,
    answer TEXT,
    answered_by INTEGER REFERENCES users (id),
    answered_at TEXT
);
CREATE UNIQUE INDEX dwelling_proposals_pair ON dwelling_proposals (dwelling_id, household_id);
CREATE INDEX dwelling_proposals_household ON dwelling_proposals (household_id);
