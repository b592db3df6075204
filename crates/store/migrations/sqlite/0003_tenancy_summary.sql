-- The tenancy summary a landlord may see with the household's agreement: a resources band and
-- the dwelling's needs (codes), never the social file.
ALTER TABLE households ADD COLUMN resources_band TEXT;
ALTER TABLE households ADD COLUMN dwelling_needs TEXT;
