-- A pair's number is never given to another pair (see the SQLite migration of the same number):
-- PostgreSQL's identity column already never reuses a value, so nothing changes here. The file
-- keeps both backends' migrations in step.

SELECT 1;
