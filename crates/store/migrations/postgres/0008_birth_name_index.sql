-- The keyed blind index of the birth name with the given names and birth date, beside the one of
-- the family name in use: the exact search finds a person under either name.

ALTER TABLE persons ADD COLUMN birth_name_index TEXT;
CREATE INDEX persons_birth_name_index ON persons (birth_name_index);
