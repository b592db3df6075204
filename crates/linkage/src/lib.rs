//! Record linkage, pure (no I/O): French name normalisation, blocking, field comparisons,
//! Fellegi–Sunter with EM, clustering with stable ids, and Bloom-filter encodings for
//! privacy-preserving linkage.
//!
//! The pieces, in the order the batch [`pipeline`] runs them:
//!
//! 1. [`Schema`] and [`Dataset`]: records as rows of interned, normalised values
//!    ([`normalize`], [`phonetic`]);
//! 2. [`blocking`]: candidate pairs from a union of [`BlockingRule`]s, compared as generated
//!    into [`Pattern`]s of comparison [`Level`]s ([`compare`]);
//! 3. [`train`]: `u` from random pairs, `m` by [`em`], giving a [`Model`];
//! 4. [`Scorer`]: match weights and probabilities with term-frequency adjustment, and an
//!    [`Explanation`] per pair;
//! 5. [`context`]: households as partners reported them (co-members vouch for each other; two
//!    records of one household are two persons);
//! 6. [`cluster`]: best-first merging with a guard against chaining, stable [`ClusterId`]s;
//! 7. [`Linker`]: the same, incrementally, with reviewers' [`Decision`]s.

pub mod blocking;
pub mod cluster;
pub mod compare;
pub mod context;
pub mod dataset;
pub mod em;
pub mod eval;
pub mod linker;
pub mod model;
pub mod nearest;
pub mod normalize;
pub mod phonetic;
pub mod pipeline;
pub mod pprl;
pub mod schema;
pub mod similarity;
pub mod train;
mod util;

pub use blocking::{BlockingConfig, BlockingReport, BlockingRule, KeyPart, Mode, RuleReport};
pub use cluster::{ClusterId, Clusters, Merge};
pub use compare::{Comparator, Level, Pattern, Thresholds};
pub use context::ContextModel;
pub use dataset::{Dataset, DatasetError, DateVal};
pub use eval::{pairwise, PairwiseMetrics};
pub use linker::{AddReport, Decision, DecisionReport, Linker, LinkerConfig, LinkerError, ReviewPair};
pub use model::{Explanation, FieldContribution, Model, Scorer, TermFrequencies};
pub use nearest::{most_alike, most_alike_among, Alike};
pub use pipeline::{run, NoProgress, Outcome, PipelineConfig, Progress, ScoredPair};
pub use schema::{Field, FieldKind, Record, Schema};
pub use train::{TrainConfig, Training};
pub use util::SplitMix;
