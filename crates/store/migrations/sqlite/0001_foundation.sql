-- Foundation: territory, organisations, users, households and their dated pathways, audit chain.
-- Dates are ISO-8601 TEXT (YYYY-MM-DD) and timestamps RFC 3339 TEXT (UTC) on both backends,
-- so the same SQL compares them on SQLite and PostgreSQL (see docs/adr/0002).

CREATE TABLE communes (
    insee TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE organisations (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    commune_insee TEXT REFERENCES communes (insee),
    created_at TEXT NOT NULL
);

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    is_demo INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE memberships (
    user_id INTEGER NOT NULL REFERENCES users (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    PRIMARY KEY (user_id, org_id, role)
);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE households (
    id INTEGER PRIMARY KEY,
    commune_insee TEXT REFERENCES communes (insee),
    created_on TEXT NOT NULL,
    created_by_org INTEGER NOT NULL REFERENCES organisations (id),
    created_at TEXT NOT NULL
);

CREATE TABLE persons (
    id INTEGER PRIMARY KEY,
    family_name TEXT NOT NULL,
    given_names TEXT NOT NULL,
    birth_date TEXT,
    sex TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE household_members (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    person_id INTEGER NOT NULL REFERENCES persons (id),
    role TEXT NOT NULL,
    from_on TEXT NOT NULL,
    to_on TEXT
);
CREATE INDEX household_members_household ON household_members (household_id);

CREATE TABLE situation_periods (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    situation TEXT NOT NULL,
    start_on TEXT NOT NULL,
    end_on TEXT,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    author_user_id INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX situation_periods_household ON situation_periods (household_id);

CREATE TABLE household_events (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    kind TEXT NOT NULL,
    occurred_on TEXT NOT NULL,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    author_user_id INTEGER REFERENCES users (id),
    note TEXT,
    recorded_at TEXT NOT NULL
);
CREATE INDEX household_events_household ON household_events (household_id, kind, occurred_on);

CREATE TABLE follows (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    from_on TEXT NOT NULL,
    to_on TEXT,
    is_referent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX follows_org ON follows (org_id, household_id);
CREATE INDEX follows_household ON follows (household_id);

CREATE TABLE external_refs (
    household_id INTEGER NOT NULL REFERENCES households (id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (household_id, kind)
);

-- Demo databases only: which synthetic records describe the same person (for linkage work).
CREATE TABLE synthetic_truth (
    person_id INTEGER PRIMARY KEY REFERENCES persons (id),
    true_person INTEGER NOT NULL
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE audit_events (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_user_id INTEGER,
    actor_org_id INTEGER,
    action TEXT NOT NULL,
    target_kind TEXT,
    target_id INTEGER,
    outcome TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- One row: the chain's head. Every audited transaction updates it first, which serialises
-- appends on both backends (row lock on PostgreSQL, write lock on SQLite).
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
