-- Housing captation: the dwellings a social rental agency captured (domain::dwelling). No
-- personal data: a commune, a size, a rent, what the dwelling offers; no address.

CREATE TABLE dwellings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id INTEGER NOT NULL REFERENCES organisations (id),
    commune_insee TEXT NOT NULL,
    rooms INTEGER NOT NULL,
    rent INTEGER NOT NULL,
    features TEXT NOT NULL,
    available_on TEXT NOT NULL,
    state TEXT NOT NULL,
    created_by INTEGER REFERENCES users (id),
    created_at TEXT NOT NULL,
    state_at TEXT NOT NULL
);
CREATE INDEX dwellings_org ON dwellings (org_id, state);
