//! Record linkage, pure (no I/O): French name normalisation, blocking, field comparisons,
//! Fellegi–Sunter with EM, clustering with stable ids, and Bloom-filter encodings for
//! privacy-preserving linkage.

pub mod pprl;
