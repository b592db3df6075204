//! Privacy-preserving record linkage: field-level Bloom filters keyed with a shared secret.
