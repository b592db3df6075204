-- The engine's own cluster of each person, beside the cluster shown (the engine's clusters joined
-- by reviewers' « same person » merges): a merge or an unmerge recomputes the shown clusters of
-- the persons concerned at once, without waiting for the next run.

ALTER TABLE person_clusters ADD COLUMN engine_cluster_id INTEGER;
UPDATE person_clusters SET engine_cluster_id = cluster_id;
CREATE INDEX person_clusters_engine ON person_clusters (engine_cluster_id);
