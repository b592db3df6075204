//! Small random draws shared by the generator modules.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

pub(crate) type R = ChaCha8Rng;

/// An integer in `[lo, hi)`, or `lo` when the range is empty (never panics).
pub(crate) fn between(rng: &mut R, lo: i32, hi: i32) -> i32 {
    if hi <= lo {
        lo
    } else {
        rng.gen_range(lo..hi)
    }
}

/// An exponentially distributed number of days with the given mean.
pub(crate) fn exp_days(rng: &mut R, mean: f64) -> i32 {
    let u: f64 = rng.gen();
    (-mean * (1.0 - u).ln()) as i32
}

/// A duration whose spread is narrower than an exponential's (sum of two exponentials, i.e. a
/// gamma of shape 2): stays in a shelter are rarely a few days, sometimes very long.
pub(crate) fn stay_days(rng: &mut R, mean: f64) -> i32 {
    (exp_days(rng, mean / 2.0) + exp_days(rng, mean / 2.0)).max(7)
}

/// One item of a weighted list (weights need not sum to anything in particular).
pub(crate) fn weighted<T: Copy>(rng: &mut R, items: &[(T, u32)]) -> T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut x = rng.gen_range(0..total);
    for &(item, w) in items {
        if x < w {
            return item;
        }
        x -= w;
    }
    unreachable!("x < total")
}

pub(crate) fn pick<'a, T>(rng: &mut R, items: &'a [T]) -> &'a T {
    &items[rng.gen_range(0..items.len())]
}
