//! Field encryption at rest and keyed blind indexes.
//!
//! Sensitive columns are stored as self-describing ASCII strings produced by [`Keyring::encrypt`]:
//!
//! ```text
//! v1:<key id>:<base64url, no padding, of 24-byte nonce || ciphertext || 16-byte tag>
//! ```
//!
//! The cipher is XChaCha20-Poly1305: its 192-bit nonce can be drawn at random for every value without any
//! risk of reuse, so no nonce counter has to be kept in the database. The associated data binds each
//! ciphertext to its place ([`Aad`]: table, column, row) and to its own header, so a value copied to another
//! row or column, or relabelled with another key id, fails to decrypt instead of silently moving data
//! between people's files.
//!
//! Equality search on encrypted columns goes through [`Keyring::blind_index`], an HMAC-SHA256 under a
//! separate key: without the keyring, an index cannot be recomputed from a guessed name or birth date.
//!
//! Keys live in [`zeroize::Zeroizing`] buffers, are never printed (`Debug` shows ids only), and no error
//! message ever contains key material or plaintext. This module never logs.

use std::ffi::OsString;
use std::fmt;
use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chacha20poly1305::aead::rand_core::RngCore;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

/// Environment variable naming a keyring file (preferred: the text stays out of the process environment).
pub const ENV_KEYRING_FILE: &str = "PARCOURS_KEYRING_FILE";
/// Environment variable holding the keyring text itself (fallback, e.g. for containers without files).
pub const ENV_KEYRING: &str = "PARCOURS_KEYRING";

const KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const MAX_KEY_ID_LEN: usize = 32;
/// Format version of stored values; a future format gets a new prefix so old values stay readable.
const VERSION: &str = "v1";
/// Domain tag at the start of [`Aad::bytes`], so these bytes can never be mistaken for another protocol's.
const AAD_TAG: &[u8] = b"parcours.aad.v1";

/// Written at the top of every generated keyring so whoever opens the file knows what it is.
const HEADER: &str = "\
# Trousseau de clés parcours : SECRET. Ne jamais versionner, journaliser ni transmettre en clair.
# « key <id> <64 hex> » : une ligne par clé ; les anciennes restent pour relire les valeurs déjà chiffrées.
# « active <id> » : clé des nouveaux chiffrements. « index <64 hex> » : clé HMAC des index aveugles.
";

type Secret = Zeroizing<[u8; KEY_LEN]>;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    /// A keyring line is wrong. Only the line number is given: the line itself may hold a key.
    #[error("trousseau de clés, ligne {line} : {reason}")]
    Parse { line: usize, reason: &'static str },
    #[error("trousseau de clés incomplet : {0}")]
    Incomplete(&'static str),
    #[error("identifiant de clé invalide (1 à 32 caractères parmi A-Z, a-z, 0-9, _ et -)")]
    InvalidKeyId,
    #[error("identifiant de clé déjà présent dans le trousseau : {0}")]
    DuplicateKeyId(String),
    #[error("lecture du trousseau de clés {path} : {source}")]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("la variable {ENV_KEYRING} n'est pas du texte UTF-8 valide")]
    NotUnicode,
    /// One variant for every failure, so that callers (and attackers) learn nothing about which check failed.
    #[error("déchiffrement impossible : clé inconnue, ou valeur malformée, altérée ou déplacée")]
    Decrypt,
}

/// One encryption key. Deliberately not `Debug`: `Zeroizing` would print the bytes.
#[derive(Clone)]
struct KeyEntry {
    id: String,
    key: Secret,
}

/// The encryption keys by id, the active key (used for new values) and the blind-index key.
///
/// Text format, as read by [`Keyring::parse`] and written by [`Keyring::to_text`]:
///
/// ```text
/// # comment lines and blank lines are ignored
/// key k2025a 0f1e2d…(64 hex digits)
/// key k2026a a1b2c3…(64 hex digits)
/// active k2026a
/// index 5d4c3b…(64 hex digits)
/// ```
///
/// - `key <id> <hex>`: a 256-bit XChaCha20-Poly1305 key; ids match `[A-Za-z0-9_-]{1,32}` and are unique.
///   Old keys stay after a rotation so that values they encrypted can still be read.
/// - `active <id>`: exactly one; must name a `key` line (before or after it).
/// - `index <hex>`: exactly one; the HMAC key for blind indexes, distinct from every encryption key.
///
/// Fields are separated by whitespace; comments take a whole line. All-zero keys are refused (a
/// placeholder copied from documentation must not go to production).
pub struct Keyring {
    /// In file order; a keyring has a handful of keys, so a linear lookup is cheapest.
    keys: Vec<KeyEntry>,
    /// Position of the active key in `keys`.
    active: usize,
    index_key: Secret,
}

impl fmt::Debug for Keyring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Keyring")
            .field("key_ids", &self.key_ids().collect::<Vec<_>>())
            .field("active", &self.active_key_id())
            .field("index_key", &"<masquée>")
            .finish()
    }
}

/// Where a ciphertext belongs. Part of the authenticated data, so a value only decrypts at its own place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Aad<'a> {
    pub table: &'a str,
    pub column: &'a str,
    pub row: i64,
}

impl Aad<'_> {
    /// Canonical bytes: domain tag, then each name prefixed by its length, then the row. The length
    /// prefixes make the encoding injective: ("ab", "c") and ("a", "bc") give different bytes.
    pub fn bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(AAD_TAG.len() + 8 + self.table.len() + 8 + self.column.len() + 8);
        out.extend_from_slice(AAD_TAG);
        for part in [self.table, self.column] {
            out.extend_from_slice(&(part.len() as u64).to_be_bytes());
            out.extend_from_slice(part.as_bytes());
        }
        out.extend_from_slice(&self.row.to_be_bytes());
        out
    }
}

/// Whether `id` is usable as a key id: `[A-Za-z0-9_-]{1,32}` (never contains `:`, the stored-value separator).
pub fn is_valid_key_id(id: &str) -> bool {
    (1..=MAX_KEY_ID_LEN).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

impl Keyring {
    /// Parses the keyring text format (see [`Keyring`]). Errors name the line number, never its content.
    pub fn parse(text: &str) -> Result<Self, CryptoError> {
        // Editors on Windows may add a byte-order mark; it is not part of the first directive.
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut keys: Vec<KeyEntry> = Vec::new();
        let mut active: Option<(usize, &str)> = None;
        let mut index: Option<(usize, Secret)> = None;

        for (number, raw) in text.lines().enumerate() {
            let line = number + 1;
            let err = |reason: &'static str| CryptoError::Parse { line, reason };
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let mut fields = trimmed.split_whitespace();
            match fields.next() {
                Some("key") => {
                    let (Some(id), Some(hex), None) = (fields.next(), fields.next(), fields.next()) else {
                        return Err(err("attendu : key <identifiant> <64 caractères hexadécimaux>"));
                    };
                    if !is_valid_key_id(id) {
                        return Err(err("identifiant de clé invalide (1 à 32 caractères parmi A-Z, a-z, 0-9, _ et -)"));
                    }
                    if keys.iter().any(|k| k.id == id) {
                        return Err(err("identifiant de clé en double"));
                    }
                    let key = decode_key(hex).map_err(err)?;
                    // The same key under two ids would make rotation a no-op without anyone noticing.
                    if keys.iter().any(|k| k.key == key) {
                        return Err(err("clé identique à une clé déjà déclarée"));
                    }
                    keys.push(KeyEntry { id: id.to_owned(), key });
                }
                Some("active") => {
                    let (Some(id), None) = (fields.next(), fields.next()) else {
                        return Err(err("attendu : active <identifiant>"));
                    };
                    if active.is_some() {
                        return Err(err("ligne « active » en double"));
                    }
                    if !is_valid_key_id(id) {
                        return Err(err("identifiant de clé invalide (1 à 32 caractères parmi A-Z, a-z, 0-9, _ et -)"));
                    }
                    active = Some((line, id));
                }
                Some("index") => {
                    let (Some(hex), None) = (fields.next(), fields.next()) else {
                        return Err(err("attendu : index <64 caractères hexadécimaux>"));
                    };
                    if index.is_some() {
                        return Err(err("ligne « index » en double"));
                    }
                    index = Some((line, decode_key(hex).map_err(err)?));
                }
                // The unknown word is not echoed: it may be a key pasted on the wrong line.
                _ => return Err(err("directive inconnue (attendu : key, active ou index)")),
            }
        }

        if keys.is_empty() {
            return Err(CryptoError::Incomplete("aucune ligne « key »"));
        }
        let (active_line, active_id) = active.ok_or(CryptoError::Incomplete("aucune ligne « active »"))?;
        let (index_line, index_key) = index.ok_or(CryptoError::Incomplete("aucune ligne « index »"))?;
        let active = keys.iter().position(|k| k.id == active_id).ok_or(CryptoError::Parse {
            line: active_line,
            reason: "la clé active n'est déclarée par aucune ligne « key »",
        })?;
        // Reusing an encryption key as HMAC key would tie the two uses together; keep them independent.
        if keys.iter().any(|k| k.key == index_key) {
            return Err(CryptoError::Parse {
                line: index_line,
                reason: "la clé d'index doit être distincte des clés de chiffrement",
            });
        }
        Ok(Keyring { keys, active, index_key })
    }

    /// Loads from the file named by `PARCOURS_KEYRING_FILE`, else from `PARCOURS_KEYRING` (the text itself).
    /// An empty variable counts as unset. Returns `Ok(None)` when neither is set.
    pub fn from_env() -> Result<Option<Self>, CryptoError> {
        let non_empty = |v: Option<OsString>| v.filter(|v| !v.is_empty());
        Self::from_sources(non_empty(std::env::var_os(ENV_KEYRING_FILE)), non_empty(std::env::var_os(ENV_KEYRING)))
    }

    /// [`Keyring::from_env`] without the environment, so tests need not mutate process-wide state.
    fn from_sources(file: Option<OsString>, text: Option<OsString>) -> Result<Option<Self>, CryptoError> {
        if let Some(path) = file {
            let text = std::fs::read_to_string(&path)
                .map_err(|source| CryptoError::Read { path: Path::new(&path).display().to_string(), source })?;
            return Self::parse(&Zeroizing::new(text)).map(Some);
        }
        if let Some(text) = text {
            let text = Zeroizing::new(text.into_string().map_err(|_| CryptoError::NotUnicode)?);
            return Self::parse(&text).map(Some);
        }
        Ok(None)
    }

    /// Generates a fresh keyring text with one random active key and a random index key
    /// (for `parcours keys init`).
    ///
    /// # Panics
    /// If `key_id` is not a valid id; check it first with [`is_valid_key_id`].
    pub fn generate_text(key_id: &str) -> String {
        assert!(is_valid_key_id(key_id), "identifiant de clé invalide");
        let keyring = Keyring {
            keys: vec![KeyEntry { id: key_id.to_owned(), key: random_key() }],
            active: 0,
            index_key: random_key(),
        };
        keyring.to_text()
    }

    /// Adds a new random key and makes it active (for rotation); returns the new keyring and its text to save.
    /// Old keys are kept so existing values still decrypt; the index key is kept so blind indexes stay valid.
    pub fn with_new_active_key(&self, key_id: &str) -> Result<(Keyring, String), CryptoError> {
        if !is_valid_key_id(key_id) {
            return Err(CryptoError::InvalidKeyId);
        }
        if self.entry(key_id).is_some() {
            return Err(CryptoError::DuplicateKeyId(key_id.to_owned()));
        }
        let mut keys = self.keys.clone();
        keys.push(KeyEntry { id: key_id.to_owned(), key: random_key() });
        let next = Keyring { active: keys.len() - 1, keys, index_key: self.index_key.clone() };
        let text = next.to_text();
        Ok((next, text))
    }

    pub fn active_key_id(&self) -> &str {
        &self.keys[self.active].id
    }

    /// All key ids, in file order (e.g. for `parcours keys list`).
    pub fn key_ids(&self) -> impl Iterator<Item = &str> {
        self.keys.iter().map(|k| k.id.as_str())
    }

    /// The keyring in its text format, ready to save. The result holds the keys: callers should drop it
    /// quickly (ideally wrapped in `Zeroizing`) and never log it.
    pub fn to_text(&self) -> String {
        // Sized up front so the buffer never reallocates, which would leave key copies in freed memory.
        let line_max = "key ".len() + MAX_KEY_ID_LEN + 1 + 2 * KEY_LEN + 1;
        let mut out = String::with_capacity(HEADER.len() + line_max * (self.keys.len() + 2));
        out.push_str(HEADER);
        for entry in &self.keys {
            out.push_str("key ");
            out.push_str(&entry.id);
            out.push(' ');
            push_hex(&mut out, &entry.key[..]);
            out.push('\n');
        }
        out.push_str("active ");
        out.push_str(self.active_key_id());
        out.push_str("\nindex ");
        push_hex(&mut out, &self.index_key[..]);
        out.push('\n');
        out
    }

    /// Encrypts with the active key, bound to `aad`. Output: `v1:<key id>:<base64url(nonce || ciphertext+tag)>`,
    /// plain ASCII for a TEXT column on SQLite and PostgreSQL alike. A fresh random nonce every call.
    pub fn encrypt(&self, plaintext: &[u8], aad: &Aad) -> String {
        let entry = &self.keys[self.active];
        let mut out = format!("{VERSION}:{}:", entry.id);
        let cipher = XChaCha20Poly1305::new(Key::from_slice(&entry.key[..]));
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = cipher
            .encrypt(&nonce, Payload { msg: plaintext, aad: &full_aad(&out, aad) })
            // The only failure is a plaintext beyond 256 GiB, which no field can be.
            .expect("XChaCha20-Poly1305 : texte trop long");
        let mut blob = Vec::with_capacity(NONCE_LEN + sealed.len());
        blob.extend_from_slice(&nonce);
        blob.extend_from_slice(&sealed);
        URL_SAFE_NO_PAD.encode_string(&blob, &mut out);
        out
    }

    /// Decrypts with the key named in the value. Fails with [`CryptoError::Decrypt`] if the aad differs
    /// (e.g. the value was copied to another row), the key id is unknown, or the value is malformed or altered.
    pub fn decrypt(&self, stored: &str, aad: &Aad) -> Result<Vec<u8>, CryptoError> {
        let (header, id, body) = split_stored(stored).ok_or(CryptoError::Decrypt)?;
        let entry = self.entry(id).ok_or(CryptoError::Decrypt)?;
        // Strict decoding (no padding, canonical trailing bits): one byte string has one stored form.
        let blob = URL_SAFE_NO_PAD.decode(body).map_err(|_| CryptoError::Decrypt)?;
        if blob.len() < NONCE_LEN + TAG_LEN {
            return Err(CryptoError::Decrypt);
        }
        let (nonce, sealed) = blob.split_at(NONCE_LEN);
        let cipher = XChaCha20Poly1305::new(Key::from_slice(&entry.key[..]));
        cipher
            .decrypt(XNonce::from_slice(nonce), Payload { msg: sealed, aad: &full_aad(header, aad) })
            .map_err(|_| CryptoError::Decrypt)
    }

    /// The key id a stored value was encrypted with (for rotation: re-encrypt values whose id is not
    /// the active one). `None` if the value is not in the `v1:` format.
    pub fn key_id_of(stored: &str) -> Option<&str> {
        split_stored(stored).map(|(_, id, _)| id)
    }

    /// Keyed blind index: lowercase hex HMAC-SHA256, under the index key, of `canonical` (callers pass
    /// already-normalised text). Deterministic within a keyring; different keyrings give unrelated indexes.
    /// Callers indexing several columns should prefix the column name (e.g. `"nom:dupont"`), otherwise equal
    /// values in different columns get equal indexes.
    pub fn blind_index(&self, canonical: &str) -> String {
        // `KeyInit` named explicitly: `Mac` offers a method of the same name.
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.index_key[..])
            .expect("HMAC accepte une clé de toute longueur");
        mac.update(canonical.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn entry(&self, id: &str) -> Option<&KeyEntry> {
        self.keys.iter().find(|k| k.id == id)
    }
}

/// Authenticated data: the value's own header (so its key id and version cannot be swapped) then its place.
/// The header ends with `:`, which no key id contains, so the concatenation is unambiguous.
fn full_aad(header: &str, aad: &Aad) -> Vec<u8> {
    let mut out = header.as_bytes().to_vec();
    out.extend_from_slice(&aad.bytes());
    out
}

/// Splits `v1:<id>:<body>` into (header `v1:<id>:`, id, body).
fn split_stored(stored: &str) -> Option<(&str, &str, &str)> {
    let rest = stored.strip_prefix(VERSION)?.strip_prefix(':')?;
    let (id, body) = rest.split_once(':')?;
    if !is_valid_key_id(id) {
        return None;
    }
    let header_len = VERSION.len() + 1 + id.len() + 1;
    Some((&stored[..header_len], id, body))
}

/// Decodes 64 hex digits straight into a zeroizing buffer (no intermediate `Vec` left behind).
fn decode_key(hex_text: &str) -> Result<Secret, &'static str> {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    hex::decode_to_slice(hex_text, &mut key[..]).map_err(|_| "clé : 64 caractères hexadécimaux attendus")?;
    if key.iter().all(|&b| b == 0) {
        return Err("clé nulle refusée (valeur d'exemple ?)");
    }
    Ok(key)
}

fn random_key() -> Secret {
    let mut key = Zeroizing::new([0u8; KEY_LEN]);
    OsRng.fill_bytes(&mut key[..]);
    key
}

/// Appends lowercase hex without an intermediate `String` (which would not be zeroized).
fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    for &b in bytes {
        out.push(DIGITS[usize::from(b >> 4)] as char);
        out.push(DIGITS[usize::from(b & 0x0f)] as char);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const K1: &str = "1111111111111111111111111111111111111111111111111111111111111111";
    const K2: &str = "2222222222222222222222222222222222222222222222222222222222222222";
    const IX: &str = "3333333333333333333333333333333333333333333333333333333333333333";

    fn fixed() -> Keyring {
        Keyring::parse(&format!("key k1 {K1}\nactive k1\nindex {IX}\n")).unwrap()
    }

    fn aad(row: i64) -> Aad<'static> {
        Aad { table: "persons", column: "last_name", row }
    }

    /// True if `s` has a run of at least 16 hex digits, i.e. something that looks like key material.
    fn has_hex_run(s: &str) -> bool {
        s.as_bytes().windows(16).any(|w| w.iter().all(u8::is_ascii_hexdigit))
    }

    #[test]
    fn round_trip() {
        let ring = fixed();
        for plaintext in [&b""[..], b"Dupont", "Zoé Lefèvre, née le 03/04/1987".as_bytes()] {
            let stored = ring.encrypt(plaintext, &aad(7));
            assert!(stored.starts_with("v1:k1:"));
            assert!(stored.is_ascii());
            assert_eq!(ring.decrypt(&stored, &aad(7)).unwrap(), plaintext);
        }
    }

    #[test]
    fn wrong_aad_fails() {
        let ring = fixed();
        let stored = ring.encrypt(b"secret", &aad(1));
        let wrong =
            [Aad { row: 2, ..aad(1) }, Aad { column: "first_name", ..aad(1) }, Aad { table: "households", ..aad(1) }];
        for other in wrong {
            assert!(matches!(ring.decrypt(&stored, &other), Err(CryptoError::Decrypt)), "{other:?}");
        }
    }

    #[test]
    fn ciphertext_pasted_into_another_row_fails() {
        let ring = fixed();
        let row1 = ring.encrypt(b"Martin", &aad(1));
        let row2 = ring.encrypt(b"Bernard", &aad(2));
        assert_eq!(ring.decrypt(&row1, &aad(1)).unwrap(), b"Martin");
        assert_eq!(ring.decrypt(&row2, &aad(2)).unwrap(), b"Bernard");
        // An attacker with write access swaps the two cells.
        assert!(matches!(ring.decrypt(&row1, &aad(2)), Err(CryptoError::Decrypt)));
        assert!(matches!(ring.decrypt(&row2, &aad(1)), Err(CryptoError::Decrypt)));
    }

    #[test]
    fn aad_bytes_are_injective() {
        let a = Aad { table: "ab", column: "c", row: 1 }.bytes();
        let b = Aad { table: "a", column: "bc", row: 1 }.bytes();
        let c = Aad { table: "ab", column: "c", row: -1 }.bytes();
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn unknown_key_id_fails() {
        let ring = fixed();
        let stored = ring.encrypt(b"secret", &aad(1));
        let relabelled = stored.replacen("v1:k1:", "v1:k9:", 1);
        assert!(matches!(ring.decrypt(&relabelled, &aad(1)), Err(CryptoError::Decrypt)));
        // Another keyring without k1.
        let other = Keyring::parse(&format!("key k2 {K2}\nactive k2\nindex {IX}\n")).unwrap();
        assert!(matches!(other.decrypt(&stored, &aad(1)), Err(CryptoError::Decrypt)));
        // Same id, different key material.
        let impostor = Keyring::parse(&format!("key k1 {K2}\nactive k1\nindex {IX}\n")).unwrap();
        assert!(matches!(impostor.decrypt(&stored, &aad(1)), Err(CryptoError::Decrypt)));
    }

    #[test]
    fn relabelling_to_another_known_key_fails() {
        // Both keys present: the header is authenticated, so changing the id is detected, not just "wrong key".
        let ring = Keyring::parse(&format!("key k1 {K1}\nkey k2 {K2}\nactive k1\nindex {IX}\n")).unwrap();
        let stored = ring.encrypt(b"secret", &aad(1));
        let relabelled = stored.replacen("v1:k1:", "v1:k2:", 1);
        assert!(ring.decrypt(&relabelled, &aad(1)).is_err());
    }

    #[test]
    fn tampered_values_fail() {
        let ring = fixed();
        let stored = ring.encrypt(b"Dupont", &aad(1));
        let body_start = "v1:k1:".len();
        for i in body_start..stored.len() {
            let mut bytes = stored.clone().into_bytes();
            bytes[i] = if bytes[i] == b'A' { b'B' } else { b'A' };
            let tampered = String::from_utf8(bytes).unwrap();
            assert!(ring.decrypt(&tampered, &aad(1)).is_err(), "position {i}");
        }
        let malformed = [
            String::new(),
            "v1:k1:".to_owned(),
            "v1:k1".to_owned(),
            stored.replacen("v1:", "v2:", 1),
            stored[..stored.len() - 1].to_owned(),
            format!("{stored}A"),
            format!("{stored}="),
            stored.replacen("v1:k1:", "v1:k1::", 1),
        ];
        for bad in malformed {
            assert!(matches!(ring.decrypt(&bad, &aad(1)), Err(CryptoError::Decrypt)), "{bad}");
        }
    }

    #[test]
    fn rotation_keeps_old_values_readable() {
        let old = Keyring::parse(&Keyring::generate_text("k2025a")).unwrap();
        let before = old.encrypt(b"ancien", &aad(1));
        let (new, text) = old.with_new_active_key("k2026a").unwrap();
        assert_eq!(new.active_key_id(), "k2026a");
        assert_eq!(new.key_ids().collect::<Vec<_>>(), ["k2025a", "k2026a"]);
        assert_eq!(new.decrypt(&before, &aad(1)).unwrap(), b"ancien");
        let after = new.encrypt(b"nouveau", &aad(1));
        assert_eq!(Keyring::key_id_of(&before), Some("k2025a"));
        assert_eq!(Keyring::key_id_of(&after), Some("k2026a"));
        assert!(old.decrypt(&after, &aad(1)).is_err());
        // The saved text reloads to the same keyring, blind indexes included.
        let reloaded = Keyring::parse(&text).unwrap();
        assert_eq!(reloaded.active_key_id(), "k2026a");
        assert_eq!(reloaded.decrypt(&before, &aad(1)).unwrap(), b"ancien");
        assert_eq!(reloaded.decrypt(&after, &aad(1)).unwrap(), b"nouveau");
        assert_eq!(reloaded.blind_index("dupont"), old.blind_index("dupont"));

        assert!(matches!(new.with_new_active_key("k2025a"), Err(CryptoError::DuplicateKeyId(_))));
        assert!(matches!(new.with_new_active_key("a:b"), Err(CryptoError::InvalidKeyId)));
        assert!(matches!(new.with_new_active_key(""), Err(CryptoError::InvalidKeyId)));
    }

    #[test]
    fn key_id_of_rejects_malformed_values() {
        assert_eq!(Keyring::key_id_of("v1:abc:xyz"), Some("abc"));
        for bad in ["", "v1:", "v1::xyz", "v2:abc:xyz", "abc", "v1:a b:xyz", "v1:abc"] {
            assert_eq!(Keyring::key_id_of(bad), None, "{bad}");
        }
    }

    #[test]
    fn parse_accepts_comments_blank_lines_crlf_and_bom() {
        let text = format!("\u{feff}# trousseau\r\n\r\n  key k1 {K1}  \r\n\tactive k1\r\n# fin\r\nindex {IX}\r\n");
        let ring = Keyring::parse(&text).unwrap();
        assert_eq!(ring.active_key_id(), "k1");
        let stored = ring.encrypt(b"x", &aad(1));
        assert_eq!(fixed().decrypt(&stored, &aad(1)).unwrap(), b"x");
        // Uppercase hex is the same key.
        let upper = Keyring::parse(&format!("key k1 {}\nactive k1\nindex {IX}\n", K1.to_uppercase())).unwrap();
        assert_eq!(upper.decrypt(&stored, &aad(1)).unwrap(), b"x");
    }

    #[test]
    fn parse_errors_name_the_line_and_never_the_key() {
        let zero = "0".repeat(64);
        let short = &K2[..62];
        let cases: Vec<(String, Option<usize>)> = vec![
            (format!("# c\nkey k1 {short}\nactive k1\nindex {IX}\n"), Some(2)),
            (format!("key k1 {K1}\nkey k1 {K2}\nactive k1\nindex {IX}\n"), Some(2)),
            (format!("key k1 {K1}\nkey k2 {K1}\nactive k1\nindex {IX}\n"), Some(2)),
            (format!("key {K1} k1\nactive k1\nindex {IX}\n"), Some(1)),
            (format!("key k1 {K1} extra\nactive k1\nindex {IX}\n"), Some(1)),
            (format!("key k1 {K1}\nactive k1\nactive k1\nindex {IX}\n"), Some(3)),
            (format!("key k1 {K1}\nactive k2\nindex {IX}\n"), Some(2)),
            (format!("key k1 {K1}\nactive k1\n\nindex {IX}\nindex {K2}\n"), Some(5)),
            (format!("key k1 {K1}\nactive k1\nindex {K1}\n"), Some(3)),
            (format!("key k1 {zero}\nactive k1\nindex {IX}\n"), Some(1)),
            (format!("key k1 {K1}\nactive k1\nindex {IX}\n{K2}\n"), Some(4)),
            (format!("key k1 {K1}\nactive k1\nindex {IX} {K2}\n"), Some(3)),
            (format!("key k1 {K1}\nindex {IX}\n"), None),
            (format!("key k1 {K1}\nactive k1\n"), None),
            (format!("active k1\nindex {IX}\n"), None),
            (String::new(), None),
        ];
        for (text, line) in cases {
            let err = Keyring::parse(&text).expect_err(&text);
            let msg = err.to_string();
            match line {
                Some(n) => {
                    assert!(matches!(err, CryptoError::Parse { line, .. } if line == n), "{msg} / {text}");
                    assert!(msg.contains(&format!("ligne {n}")), "{msg}");
                }
                None => assert!(matches!(err, CryptoError::Incomplete(_)), "{msg} / {text}"),
            }
            assert!(!has_hex_run(&msg), "message reveals key material: {msg}");
            assert!(!has_hex_run(&format!("{err:?}")), "debug reveals key material: {err:?}");
        }
    }

    #[test]
    fn debug_shows_ids_not_keys() {
        let ring = Keyring::parse(&format!("key k1 {K1}\nkey k2 {K2}\nactive k2\nindex {IX}\n")).unwrap();
        for dbg in [format!("{ring:?}"), format!("{ring:#?}")] {
            assert!(dbg.contains("k1") && dbg.contains("k2"), "{dbg}");
            assert!(!has_hex_run(&dbg), "{dbg}");
            assert!(!dbg.contains("17, 17, 17") && !dbg.contains("0x11"), "{dbg}");
        }
        let generated = Keyring::parse(&Keyring::generate_text("init")).unwrap();
        assert!(!has_hex_run(&format!("{generated:?}")));
    }

    #[test]
    fn blind_index_is_keyed_and_deterministic() {
        let a = fixed();
        let index = a.blind_index("dupont|jean|1980-01-01");
        assert_eq!(index.len(), 64);
        assert!(index.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        assert_eq!(index, a.blind_index("dupont|jean|1980-01-01"));
        assert_ne!(index, a.blind_index("dupont|jean|1980-01-02"));
        assert_ne!(a.blind_index(""), a.blind_index(" "));
        // Different index key: unrelated index, even with the same encryption key.
        let b = Keyring::parse(&format!("key k1 {K1}\nactive k1\nindex {K2}\n")).unwrap();
        assert_ne!(index, b.blind_index("dupont|jean|1980-01-01"));
        // Not a plain (unkeyed) hash of the input.
        use sha2::Digest;
        assert_ne!(index, hex::encode(Sha256::digest(b"dupont|jean|1980-01-01")));
        // Known-answer check: HMAC-SHA256 with key 0x33 * 32 over "abc", computed independently.
        assert_eq!(a.blind_index("abc"), hmac_reference(&[0x33; 32], b"abc"));
    }

    /// Textbook HMAC-SHA256 from the hash alone, to check `blind_index` is exactly HMAC.
    fn hmac_reference(key: &[u8; 32], msg: &[u8]) -> String {
        use sha2::Digest;
        let mut ipad = [0x36u8; 64];
        let mut opad = [0x5cu8; 64];
        for (i, k) in key.iter().enumerate() {
            ipad[i] ^= k;
            opad[i] ^= k;
        }
        let inner = Sha256::new().chain_update(ipad).chain_update(msg).finalize();
        hex::encode(Sha256::new().chain_update(opad).chain_update(inner).finalize())
    }

    #[test]
    fn nonces_are_random() {
        let ring = fixed();
        let a = ring.encrypt(b"meme texte", &aad(1));
        let b = ring.encrypt(b"meme texte", &aad(1));
        assert_ne!(a, b);
        assert_eq!(ring.decrypt(&a, &aad(1)).unwrap(), ring.decrypt(&b, &aad(1)).unwrap());
    }

    #[test]
    fn stored_value_reveals_no_plaintext() {
        let ring = fixed();
        let plaintext = "Dupont Jeanne 1980-01-01 signalement";
        let stored = ring.encrypt(plaintext.as_bytes(), &aad(1));
        let lower = stored.to_lowercase();
        for word in plaintext.split(' ') {
            assert!(!lower.contains(&word.to_lowercase()), "{word} in {stored}");
        }
        assert!(!stored.contains(&hex::encode(plaintext)));
        assert!(!stored.contains(&URL_SAFE_NO_PAD.encode(plaintext)[..20]));
        // Length leaks (as with any cipher), but only as nonce + plaintext + tag.
        let body = URL_SAFE_NO_PAD.decode(&stored["v1:k1:".len()..]).unwrap();
        assert_eq!(body.len(), NONCE_LEN + plaintext.len() + TAG_LEN);
    }

    #[test]
    fn generated_keyrings_are_fresh_and_valid() {
        let text1 = Keyring::generate_text("k2026a");
        let text2 = Keyring::generate_text("k2026a");
        assert_ne!(text1, text2);
        let (a, b) = (Keyring::parse(&text1).unwrap(), Keyring::parse(&text2).unwrap());
        assert_eq!(a.active_key_id(), "k2026a");
        assert_eq!(a.to_text(), text1);
        assert_ne!(a.blind_index("x"), b.blind_index("x"));
        assert!(b.decrypt(&a.encrypt(b"x", &aad(1)), &aad(1)).is_err());
        assert!(is_valid_key_id(&"a".repeat(32)));
        assert!(!is_valid_key_id(&"a".repeat(33)));
        assert!(!is_valid_key_id("é"));
    }

    #[test]
    #[should_panic(expected = "identifiant de clé invalide")]
    fn generate_text_rejects_bad_id() {
        Keyring::generate_text("bad id");
    }

    #[test]
    fn loads_from_file_then_text_then_nothing() {
        let text = format!("key k1 {K1}\nactive k1\nindex {IX}\n");
        let other = format!("key k2 {K2}\nactive k2\nindex {IX}\n");
        let path = std::env::temp_dir().join(format!("parcours-keyring-test-{}", std::process::id()));
        std::fs::write(&path, &text).unwrap();

        // The file wins over the inline text.
        let ring = Keyring::from_sources(Some(path.clone().into()), Some(other.clone().into())).unwrap().unwrap();
        assert_eq!(ring.active_key_id(), "k1");
        let ring = Keyring::from_sources(None, Some(other.into())).unwrap().unwrap();
        assert_eq!(ring.active_key_id(), "k2");
        assert!(Keyring::from_sources(None, None).unwrap().is_none());

        std::fs::remove_file(&path).unwrap();
        let err = Keyring::from_sources(Some(path.into()), None).unwrap_err();
        assert!(matches!(err, CryptoError::Read { .. }));
        assert!(err.to_string().contains("parcours-keyring-test"));
    }
}
