-- The CCA and CCAPEX workflows: referrals with their steps and attachments, sessions with
-- members and agenda, decisions, the measures catalogue, measures with reviews and steps,
-- in-application notifications, eviction procedures with stages and CCAPEX opinions.

CREATE TABLE measure_kinds (
    code TEXT PRIMARY KEY,
    label TEXT NOT NULL,
    default_months INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE referrals (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    referrer_id INTEGER NOT NULL REFERENCES users (id),
    state TEXT NOT NULL,
    needs TEXT NOT NULL DEFAULT '',
    needs_detail TEXT NOT NULL DEFAULT '',
    wishes TEXT NOT NULL DEFAULT '',
    measure_asked TEXT REFERENCES measure_kinds (code),
    motivation TEXT NOT NULL DEFAULT '',
    previous_measures TEXT NOT NULL DEFAULT '',
    notice_given_on TEXT,
    situation_at_submission TEXT,
    persons_at_submission INTEGER,
    eviction_id INTEGER,
    created_at TEXT NOT NULL,
    submitted_on TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX referrals_household ON referrals (household_id);
CREATE INDEX referrals_state ON referrals (state);

CREATE TABLE referral_steps (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    from_state TEXT NOT NULL,
    to_state TEXT NOT NULL,
    message TEXT,
    by_user INTEGER REFERENCES users (id),
    by_org INTEGER NOT NULL REFERENCES organisations (id),
    at TEXT NOT NULL
);
CREATE INDEX referral_steps_referral ON referral_steps (referral_id);

CREATE TABLE referral_attachments (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    filename TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    payload TEXT NOT NULL,
    uploaded_by INTEGER REFERENCES users (id),
    uploaded_at TEXT NOT NULL
);
CREATE INDEX referral_attachments_referral ON referral_attachments (referral_id);

CREATE TABLE cca_sessions (
    id INTEGER PRIMARY KEY,
    session_date TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL,
    published_at TEXT,
    closed_at TEXT,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL
);

CREATE TABLE cca_session_members (
    session_id INTEGER NOT NULL REFERENCES cca_sessions (id),
    user_id INTEGER NOT NULL REFERENCES users (id),
    present INTEGER NOT NULL DEFAULT 0,
    invited_at TEXT NOT NULL,
    PRIMARY KEY (session_id, user_id)
);

CREATE TABLE cca_agenda (
    id INTEGER PRIMARY KEY,
    session_id INTEGER NOT NULL REFERENCES cca_sessions (id),
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    position INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    removed_at TEXT
);
CREATE INDEX cca_agenda_session ON cca_agenda (session_id);

CREATE TABLE cca_decisions (
    id INTEGER PRIMARY KEY,
    referral_id INTEGER NOT NULL REFERENCES referrals (id),
    session_id INTEGER NOT NULL REFERENCES cca_sessions (id),
    outcome TEXT NOT NULL,
    measure_kind TEXT REFERENCES measure_kinds (code),
    reason TEXT NOT NULL DEFAULT '',
    redirected_to TEXT NOT NULL DEFAULT '',
    decided_on TEXT NOT NULL,
    decided_by INTEGER REFERENCES users (id),
    decided_at TEXT NOT NULL
);
CREATE INDEX cca_decisions_referral ON cca_decisions (referral_id);

CREATE TABLE measures (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    decision_id INTEGER REFERENCES cca_decisions (id),
    kind TEXT NOT NULL REFERENCES measure_kinds (code),
    state TEXT NOT NULL,
    operator_org INTEGER REFERENCES organisations (id),
    referent_user INTEGER REFERENCES users (id),
    start_on TEXT,
    planned_months INTEGER NOT NULL DEFAULT 0,
    planned_end TEXT,
    next_review TEXT,
    end_on TEXT,
    end_reason TEXT,
    housing_type TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX measures_household ON measures (household_id);

CREATE TABLE measure_steps (
    id INTEGER PRIMARY KEY,
    measure_id INTEGER NOT NULL REFERENCES measures (id),
    event TEXT NOT NULL,
    on_day TEXT NOT NULL,
    outcome TEXT,
    note TEXT,
    by_user INTEGER REFERENCES users (id),
    by_org INTEGER NOT NULL REFERENCES organisations (id),
    at TEXT NOT NULL
);
CREATE INDEX measure_steps_measure ON measure_steps (measure_id);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT NOT NULL,
    dedup_key TEXT,
    created_at TEXT NOT NULL,
    read_at TEXT,
    emailed_at TEXT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at);
CREATE UNIQUE INDEX notifications_dedup ON notifications (user_id, dedup_key);

CREATE TABLE evictions (
    id INTEGER PRIMARY KEY,
    household_id INTEGER NOT NULL REFERENCES households (id),
    landlord_kind TEXT NOT NULL,
    rent_cents INTEGER,
    charges_cents INTEGER,
    debt_cents INTEGER,
    housing_benefit TEXT NOT NULL,
    diagnosis_on TEXT,
    closure TEXT,
    closed_on TEXT,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX evictions_household ON evictions (household_id);

CREATE TABLE eviction_stages (
    id INTEGER PRIMARY KEY,
    eviction_id INTEGER NOT NULL REFERENCES evictions (id),
    stage TEXT NOT NULL,
    on_day TEXT NOT NULL,
    by_user INTEGER REFERENCES users (id),
    by_org INTEGER NOT NULL REFERENCES organisations (id),
    at TEXT NOT NULL
);
CREATE INDEX eviction_stages_eviction ON eviction_stages (eviction_id);

CREATE TABLE ccapex_opinions (
    id INTEGER PRIMARY KEY,
    eviction_id INTEGER NOT NULL REFERENCES evictions (id),
    given_on TEXT NOT NULL,
    opinion TEXT NOT NULL,
    recommendation TEXT NOT NULL DEFAULT '',
    addressee TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL,
    by_user INTEGER REFERENCES users (id),
    at TEXT NOT NULL
);
CREATE INDEX ccapex_opinions_eviction ON ccapex_opinions (eviction_id);

ALTER TABLE temporary_grants ADD COLUMN session_id INTEGER REFERENCES cca_sessions (id);

-- The catalogue as first installed (domain::cca::measure::DEFAULT_CATALOGUE); administrators edit it.
INSERT INTO measure_kinds (code, label, default_months, active, created_at) VALUES
    ('avdl', 'AVDL — accompagnement vers et dans le logement', 6, 1, 'migration 0005'),
    ('asll', 'ASLL (FSL) — accompagnement social lié au logement', 6, 1, 'migration 0005'),
    ('iml-sous-location', 'IML sous-location', 18, 1, 'migration 0005'),
    ('iml-mandat', 'IML mandat de gestion', 36, 1, 'migration 0005'),
    ('bail-glissant', 'Bail glissant', 12, 1, 'migration 0005'),
    ('pension-famille', 'Pension de famille / résidence accueil', 0, 1, 'migration 0005'),
    ('chez-soi-dabord', 'Un chez-soi d''abord', 0, 1, 'migration 0005'),
    ('pluridisciplinaire', 'Accompagnement pluridisciplinaire (social et santé mentale)', 12, 1, 'migration 0005'),
    ('pole-ressource', 'Pôle ressource santé mentale et habitat', 6, 1, 'migration 0005'),
    ('logement-social-direct', 'Logement social direct', 3, 1, 'migration 0005'),
    ('fsl-acces', 'FSL accès', 3, 1, 'migration 0005');
