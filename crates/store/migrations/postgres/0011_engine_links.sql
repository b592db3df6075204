-- The links the engine found between records of one of its clusters (probability above its
-- threshold, with their weight). A « different people » decision, or its withdrawal, clusters
-- again the records these links join, at once and as the engine would, so the counts split two
-- records joined through a third without waiting for the next run.

CREATE TABLE link_edges (
    person_a BIGINT NOT NULL REFERENCES persons (id),
    person_b BIGINT NOT NULL REFERENCES persons (id),
    weight DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (person_a, person_b)
);
CREATE INDEX link_edges_b ON link_edges (person_b);
