//! Privacy-preserving record linkage (PPRL): field-level Bloom filters keyed with a shared secret.
//!
//! Each partner encodes its records itself ([`Encoder`]): every field (family name, given names,
//! first given name, birth date, sex, commune) becomes its own Bloom filter, built from the
//! padded bigrams (or date tokens) of the normalised value ([`normalize`]), each token setting
//! `k` bits chosen by `HMAC-SHA256` under a key derived from the secret *and the field's name*
//! (keyed hashing, salted per field). Optionally (on by default) every bit is then flipped with
//! a small probability (BLIP). Only filters, a keyed birth-year + sex blocking key, and the
//! partner's own opaque record id leave the partner.
//!
//! The linkage unit ([`link()`]) needs no secret: it blocks on the keyed key and on MinHash LSH
//! over filter bits, compares filters by (BLIP-corrected) Dice similarity, turns similarities
//! into comparison levels, fits a Fellegi–Sunter model by EM, keeps the pairs whose match
//! probability passes a threshold, and clusters them into persons with a one-record-per-partner
//! constraint. The protocol, its parameters and the known attacks are described in
//! `docs/pprl.md`.

pub mod bloom;
pub mod compare;
pub mod encode;
pub mod link;
pub mod normalize;
pub mod secret;
#[doc(hidden)]
pub mod synthetic;

#[cfg(test)]
mod tests;

pub use bloom::Filter;
pub use compare::{Model, Similarities, Thresholds, Var};
pub use encode::{BirthDate, EncodedRecord, Encoder, Field, FieldParams, Params, PlainRecord, Scheme, Sex, Slot};
pub use link::{link, Dataset, Link, LinkOptions, LinkReport};
pub use secret::{Secret, SecretError, MIN_SECRET_BYTES};
