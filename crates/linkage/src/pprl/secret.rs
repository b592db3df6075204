//! The partners' shared secret: parsing, minimal strength checks, key derivation.
//!
//! The secret is the only thing that stands between the encodings and a dictionary attack
//! (anyone holding it can encode every name of a phone book and compare). It is never printed,
//! never written into an encoding, and never part of an error message; `Debug` is redacted.

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// Minimum length of a secret, in bytes once decoded (256 bits).
pub const MIN_SECRET_BYTES: usize = 32;

/// Why a secret was refused. The messages never quote the secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretError {
    /// Fewer than [`MIN_SECRET_BYTES`] bytes once decoded.
    TooShort { bytes: usize },
    /// Long enough but obviously not random (a repeated pattern, too few distinct symbols).
    LowEntropy,
}

impl std::fmt::Display for SecretError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::TooShort { bytes } => write!(
                f,
                "secret trop court : {bytes} octet(s) d'entropie au plus, il en faut au moins {MIN_SECRET_BYTES} \
                 (256 bits) ; créez-en un avec `parcours pprl keygen`"
            ),
            Self::LowEntropy => write!(
                f,
                "secret refusé : il n'a pas l'air aléatoire (motif répété ou trop peu de symboles distincts) ; \
                 créez-en un avec `parcours pprl keygen`"
            ),
        }
    }
}

impl std::error::Error for SecretError {}

/// The shared secret (key material), at least 32 bytes.
#[derive(Clone)]
pub struct Secret(Vec<u8>);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<masqué>)")
    }
}

impl Drop for Secret {
    fn drop(&mut self) {
        // Best effort (no `unsafe` volatile write in this workspace).
        self.0.iter_mut().for_each(|b| *b = 0);
    }
}

impl Secret {
    /// Parses the content of a secret file.
    ///
    /// Surrounding whitespace is ignored. A content made only of hexadecimal digits (even
    /// count) is decoded as hexadecimal — the format `parcours pprl keygen` writes, 64 digits
    /// for 32 random bytes —; anything else is taken as raw bytes. Refused: fewer than 32 bytes
    /// once decoded, and contents that are obviously not random (fewer than 16 distinct bytes,
    /// or a period shorter than a quarter of the length, e.g. `abcabcabc…`). Real entropy cannot
    /// be measured from one sample: a 40-letter sentence passes, and is still a weak secret.
    pub fn from_file_content(content: &[u8]) -> Result<Self, SecretError> {
        let trimmed = trim_ascii(content);
        let bytes = match decode_hex(trimmed) {
            Some(decoded) => decoded,
            None => trimmed.to_vec(),
        };
        if bytes.len() < MIN_SECRET_BYTES {
            return Err(SecretError::TooShort { bytes: bytes.len() });
        }
        let mut seen = [false; 256];
        bytes.iter().for_each(|&b| seen[usize::from(b)] = true);
        let distinct = seen.iter().filter(|s| **s).count();
        let head = &bytes[..bytes.len().min(1024)];
        let period = (1..head.len()).find(|&p| head[p..].iter().zip(head).all(|(a, b)| a == b));
        if distinct < 16 || period.is_some_and(|p| p * 4 < head.len()) {
            return Err(SecretError::LowEntropy);
        }
        Ok(Self(bytes))
    }

    /// Raw key bytes (at least 32), e.g. freshly drawn by the caller.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, SecretError> {
        Self::from_file_content(hex_encode(bytes).as_bytes())
    }

    /// A new random secret from the operating system's generator, as the text of a secret file
    /// (64 hexadecimal digits and a newline).
    pub fn generate_file_content() -> String {
        use rand::RngCore;
        let mut bytes = [0u8; MIN_SECRET_BYTES];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        let text = format!("{}\n", hex_encode(&bytes));
        bytes.iter_mut().for_each(|b| *b = 0);
        text
    }

    /// A sub-key for one purpose: `HMAC-SHA256(secret, "parcours-pprl/v1/" + label)`.
    pub(crate) fn derive(&self, label: &str) -> [u8; 32] {
        let mut mac = HmacSha256::new_from_slice(&self.0).expect("HMAC accepts any key length");
        mac.update(b"parcours-pprl/v1/");
        mac.update(label.as_bytes());
        mac.finalize().into_bytes().into()
    }

    /// A public fingerprint of the secret (8 bytes of a dedicated HMAC, in hexadecimal): lets
    /// the linkage unit check that every file was encoded with the same secret, without
    /// learning anything about it.
    pub fn fingerprint(&self) -> String {
        hex_encode(&self.derive("fingerprint")[..8])
    }
}

fn trim_ascii(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(start, |e| e + 1);
    &b[start..end]
}

fn decode_hex(b: &[u8]) -> Option<Vec<u8>> {
    if b.is_empty() || !b.len().is_multiple_of(2) || !b.iter().all(u8::is_ascii_hexdigit) {
        return None;
    }
    let digit = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    b.chunks(2).map(|p| Some(digit(p[0])? << 4 | digit(p[1])?)).collect()
}

pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
