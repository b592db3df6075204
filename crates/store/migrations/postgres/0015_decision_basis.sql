-- What a reviewer's decision on a pair rests on (domain::identity::DecisionBasis): a code from
-- a closed list, never free text. Decisions taken before it was asked read « non précisé ».

ALTER TABLE link_decisions ADD COLUMN basis TEXT NOT NULL DEFAULT 'non_precise';
