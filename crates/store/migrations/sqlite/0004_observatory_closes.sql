-- Month close: the figures of a month as published, frozen; later-entered facts change the
-- figures "as known today", and the dashboard shows both and the revision.
CREATE TABLE observatory_closes (
    month TEXT PRIMARY KEY,
    closed_at TEXT NOT NULL,
    rows_json TEXT NOT NULL
);
