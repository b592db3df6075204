-- The birth identity of a person (the traits of the national identity-vigilance reference
-- besides names, birth date and sex): the birth name when the person uses another family name,
-- the country of birth (INSEE code) and the commune or city of birth as written. All optional;
-- they let the record linkage tell apart two persons of the same name.

ALTER TABLE persons ADD COLUMN birth_name TEXT;
ALTER TABLE persons ADD COLUMN birth_country TEXT;
ALTER TABLE persons ADD COLUMN birth_commune TEXT;
