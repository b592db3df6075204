//! Bit vectors (Bloom filters), their Dice similarity, BLIP noise and serialisation.

use base64::Engine as _;
use rand::Rng;

/// A Bloom filter of `bits` bits.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Filter {
    bits: usize,
    words: Vec<u64>,
}

impl Filter {
    pub fn new(bits: usize) -> Self {
        Self { bits, words: vec![0; bits.div_ceil(64)] }
    }

    pub fn len(&self) -> usize {
        self.bits
    }

    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    pub fn words(&self) -> &[u64] {
        &self.words
    }

    pub fn set(&mut self, pos: usize) {
        self.words[pos / 64] |= 1 << (pos % 64);
    }

    pub fn get(&self, pos: usize) -> bool {
        self.words[pos / 64] >> (pos % 64) & 1 == 1
    }

    pub fn count_ones(&self) -> u32 {
        self.words.iter().map(|w| w.count_ones()).sum()
    }

    /// Plain Dice coefficient `2|A∩B| / (|A|+|B|)` (0 when both are empty).
    pub fn dice(&self, other: &Self) -> f64 {
        dice(and_count(&self.words, &other.words), self.count_ones(), other.count_ones(), self.bits, 0.0)
    }

    /// BLIP (Schnell & Borgs 2016): every bit is flipped independently with probability `p`.
    /// Draws the gaps between flipped bits from a geometric law, so the cost is about `p·l`.
    pub fn blip(&mut self, p: f64, rng: &mut impl Rng) {
        if p <= 0.0 {
            return;
        }
        let log_q = (1.0 - p).ln();
        let mut pos = 0usize;
        loop {
            let u: f64 = rng.gen_range(f64::MIN_POSITIVE..1.0);
            let skip = (u.ln() / log_q).floor();
            if !skip.is_finite() || skip >= (self.bits - pos) as f64 {
                return;
            }
            pos += skip as usize;
            self.words[pos / 64] ^= 1 << (pos % 64);
            pos += 1;
            if pos >= self.bits {
                return;
            }
        }
    }

    /// The filter as standard base64 of its bytes (bit `i` is bit `i % 8` of byte `i / 8`).
    pub fn to_base64(&self) -> String {
        let bytes: Vec<u8> = self.words.iter().flat_map(|w| w.to_le_bytes()).take(self.bits.div_ceil(8)).collect();
        base64::engine::general_purpose::STANDARD.encode(bytes)
    }

    /// The inverse of [`Filter::to_base64`], for a filter of `bits` bits.
    pub fn from_base64(text: &str, bits: usize) -> Result<Self, String> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(text.trim())
            .map_err(|e| format!("base64 invalide ({e})"))?;
        if bytes.len() != bits.div_ceil(8) {
            return Err(format!("filtre de {} octets, {} attendus", bytes.len(), bits.div_ceil(8)));
        }
        let mut f = Self::new(bits);
        for (i, chunk) in bytes.chunks(8).enumerate() {
            let mut w = [0u8; 8];
            w[..chunk.len()].copy_from_slice(chunk);
            f.words[i] = u64::from_le_bytes(w);
        }
        if !bits.is_multiple_of(64) && f.words.last().is_some_and(|w| w >> (bits % 64) != 0) {
            return Err("bits au-delà de la longueur du filtre".into());
        }
        Ok(f)
    }
}

/// `|A∩B|` of two filters given as words.
#[inline]
pub fn and_count(a: &[u64], b: &[u64]) -> u32 {
    a.iter().zip(b).map(|(x, y)| (x & y).count_ones()).sum()
}

/// Dice similarity from the counts of a pair of filters of `l` bits: `n11 = |A∩B|`, `na = |A|`,
/// `nb = |B|`. When the filters went through BLIP with flip probability `p > 0`, the counts
/// are first corrected for the noise (the expected true counts are recovered by inverting the
/// flip channel, bit by bit, on the 2×2 table of the pair), which gives an unbiased estimate
/// of the noiseless Dice — noisier, but on the same scale, so the same thresholds apply.
pub fn dice(n11: u32, na: u32, nb: u32, l: usize, p: f64) -> f64 {
    let (n11, na, nb, l) = (f64::from(n11), f64::from(na), f64::from(nb), l as f64);
    if p <= 0.0 {
        let denom = na + nb;
        return if denom == 0.0 { 0.0 } else { 2.0 * n11 / denom };
    }
    let q = 1.0 - p;
    let s = 1.0 - 2.0 * p;
    let (o10, o01) = (na - n11, nb - n11);
    let o00 = l - na - nb + n11;
    let t11 = (q * q * n11 - p * q * (o10 + o01) + p * p * o00) / (s * s);
    let ta = (na - p * l) / s;
    let tb = (nb - p * l) / s;
    let denom = ta + tb;
    if denom <= 1.0 {
        return 0.0;
    }
    (2.0 * t11 / denom).clamp(0.0, 1.0)
}
