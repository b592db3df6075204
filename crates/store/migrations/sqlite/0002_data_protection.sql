-- Data protection by design: habilitations, temporary grants, information notice, sharing
-- choices, restriction, sensitive compartment (ciphertext only), blind index, rectification
-- history, retention marks; the audit log moves to its own database file (attached as `audit`).

ALTER TABLE communes ADD COLUMN epci TEXT;

CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    role TEXT NOT NULL,
    scope_kind TEXT NOT NULL,
    scope_value TEXT NOT NULL DEFAULT '',
    tier TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    granted_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX grants_org ON grants (org_id);

CREATE TABLE temporary_grants (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    reason TEXT NOT NULL,
    granted_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);
CREATE INDEX temporary_grants_user ON temporary_grants (user_id, household_id);

CREATE TABLE information_notices (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    given_on TEXT NOT NULL,
    notice_version TEXT NOT NULL,
    given_by INTEGER REFERENCES users (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX information_notices_household ON information_notices (household_id);

-- Append-only: the choice in force for a scope is the latest row.
CREATE TABLE sharing_choices (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    scope TEXT NOT NULL,
    choice TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX sharing_choices_household ON sharing_choices (household_id, scope);

CREATE TABLE restrictions (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    from_on TEXT NOT NULL,
    to_on TEXT,
    reason TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX restrictions_household ON restrictions (household_id);

-- Sensitive compartment: XChaCha20-Poly1305 ciphertexts bound to table, column and row.
CREATE TABLE household_needs (
    household_id INTEGER PRIMARY KEY REFERENCES households (id),
    payload TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES users (id)
);

CREATE TABLE sensitive_notes (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    payload TEXT NOT NULL,
    written_on TEXT NOT NULL,
    author_user_id INTEGER REFERENCES users (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    recorded_at TEXT NOT NULL
);
CREATE INDEX sensitive_notes_household ON sensitive_notes (household_id);

-- Keyed blind index (HMAC-SHA256 of normalised names and birth date) for exact lookups.
ALTER TABLE persons ADD COLUMN name_index TEXT;
CREATE INDEX persons_name_index ON persons (name_index);

CREATE TABLE rectifications (
    id INTEGER PRIMARY KEY,
    target_table TEXT NOT NULL,
    target_column TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    household_id INTEGER NOT NULL REFERENCES households (id),
    old_value TEXT,
    new_value TEXT,
    reason TEXT NOT NULL,
    author_user_id INTEGER REFERENCES users (id),
    at TEXT NOT NULL
);
CREATE INDEX rectifications_household ON rectifications (household_id);

ALTER TABLE households ADD COLUMN archived_on TEXT;
ALTER TABLE households ADD COLUMN anonymised_on TEXT;

-- The audit log, kept apart from the data.
CREATE TABLE audit.audit_events (
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
CREATE INDEX audit.audit_events_target ON audit_events (target_kind, target_id);
CREATE INDEX audit.audit_events_actor ON audit_events (actor_user_id, at);
CREATE INDEX audit.audit_events_at ON audit_events (at);

-- The chain's head, and its anchor: after retention purges the oldest events, verification
-- starts from the last purged event's hash.
CREATE TABLE audit.audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    anchor_seq INTEGER NOT NULL,
    anchor_hash TEXT NOT NULL,
    purging INTEGER NOT NULL DEFAULT 0
);

INSERT INTO audit.audit_events SELECT * FROM main.audit_events;
INSERT INTO audit.audit_head (id, seq, hash, anchor_seq, anchor_hash, purging)
    SELECT id, seq, hash, 0, '0000000000000000000000000000000000000000000000000000000000000000', 0 FROM main.audit_head;
DROP TABLE main.audit_events;
DROP TABLE main.audit_head;

-- Append-only: no update ever; deletion only by the retention purge, which raises the flag.
CREATE TRIGGER audit.audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN
    SELECT RAISE(ABORT, 'journal d''audit en ajout seul');
END;
CREATE TRIGGER audit.audit_events_no_delete BEFORE DELETE ON audit_events
WHEN (SELECT purging FROM audit_head WHERE id = 1) = 0
BEGIN
    SELECT RAISE(ABORT, 'journal d''audit en ajout seul');
END;
