//! String similarities on bytes, without allocation (the strings are folded ASCII names).

/// Jaro similarity of two byte strings, in `[0, 1]`.
pub fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let (matches, transpositions) = match_letters(a, b).unwrap_or_else(|| match_scalar(a, b));
    if matches == 0 {
        return 0.0;
    }
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
}

/// The matching window of Jaro for two lengths.
#[inline]
fn window(a: &[u8], b: &[u8]) -> usize {
    (a.len().max(b.len()) / 2).saturating_sub(1)
}

/// Jaro's matches and transpositions with bit masks, for names of capital letters up to 64
/// long (`None` otherwise): each letter of `a` takes the first unmatched equal letter of `b` in
/// its window, as in the scan of [`match_scalar`], but a window is one mask operation.
#[inline]
fn match_letters(a: &[u8], b: &[u8]) -> Option<(usize, usize)> {
    if a.len() > 64 || b.len() > 64 || !b.iter().all(u8::is_ascii_uppercase) {
        return None;
    }
    let mut positions = [0u64; 26];
    for (j, &c) in b.iter().enumerate() {
        positions[usize::from(c - b'A')] |= 1 << j;
    }
    let w = window(a, b);
    let below = |k: usize| if k >= 64 { u64::MAX } else { (1u64 << k) - 1 };
    let (mut a_flags, mut b_flags) = (0u64, 0u64);
    for (i, &c) in a.iter().enumerate() {
        if !c.is_ascii_uppercase() {
            continue; // no such letter in `b`
        }
        let lo = i.saturating_sub(w);
        let hi = (i + w + 1).min(b.len());
        let free = positions[usize::from(c - b'A')] & !b_flags & below(hi) & !below(lo);
        if free != 0 {
            b_flags |= free & free.wrapping_neg();
            a_flags |= 1 << i;
        }
    }
    let matches = a_flags.count_ones() as usize;
    let mut transpositions = 0;
    while a_flags != 0 {
        let (i, j) = (a_flags.trailing_zeros() as usize, b_flags.trailing_zeros() as usize);
        transpositions += usize::from(a[i] != b[j]);
        a_flags &= a_flags - 1;
        b_flags &= b_flags - 1;
    }
    Some((matches, transpositions))
}

/// Jaro's matches and transpositions by scanning, for any bytes and lengths.
fn match_scalar(a: &[u8], b: &[u8]) -> (usize, usize) {
    let w = window(a, b);
    let mut a_flags = vec![false; a.len()];
    let mut b_flags = vec![false; b.len()];
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(w);
        let hi = (i + w + 1).min(b.len());
        for j in lo..hi {
            if !b_flags[j] && b[j] == ca {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    let mut transpositions = 0usize;
    let mut k = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        if a_flags[i] {
            while !b_flags[k] {
                k += 1;
            }
            if ca != b[k] {
                transpositions += 1;
            }
            k += 1;
        }
    }
    (matches, transpositions)
}

/// Jaro–Winkler similarity (prefix scale 0.1, prefix up to 4, boost above 0.7), as in most
/// libraries (`strsim` gives the same values).
pub fn jaro_winkler(a: &[u8], b: &[u8]) -> f64 {
    let j = jaro(a, b);
    if j <= 0.7 {
        return j;
    }
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f64;
    j + 0.1 * prefix * (1.0 - j)
}

/// Whether `b` is `a` with at most one letter substituted, inserted, deleted, or two adjacent
/// letters swapped (optimal string alignment distance at most 1), in one pass without
/// allocation: it runs on pairs whose Jaro–Winkler missed.
pub fn within_one_edit(a: &[u8], b: &[u8]) -> bool {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if b.len() - a.len() > 1 {
        return false;
    }
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    if head == a.len() {
        return true; // equal, or one letter added at the end
    }
    let (ra, rb) = (&a[head..], &b[head..]);
    if a.len() == b.len() {
        // one substitution, or two adjacent letters swapped
        ra[1..] == rb[1..] || (ra.len() >= 2 && ra[0] == rb[1] && ra[1] == rb[0] && ra[2..] == rb[2..])
    } else {
        ra == &rb[1..]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_values() {
        assert!((jaro_winkler(b"MARTHA", b"MARHTA") - 0.9611).abs() < 1e-3);
        assert!((jaro_winkler(b"DWAYNE", b"DUANE") - 0.84).abs() < 1e-3);
        assert_eq!(jaro_winkler(b"", b""), 1.0);
        assert_eq!(jaro_winkler(b"A", b""), 0.0);
        assert_eq!(jaro_winkler(b"ABC", b"XYZ"), 0.0);
        for (a, b) in [("NATHAN", "NAAHAN"), ("ISABELE", "ISABELLE"), ("MARIE", "MAIRE"), ("ION", "IN"), ("LEA", "LEA")]
        {
            assert!(within_one_edit(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
        for (a, b) in [("ROMAIN", "ROMTN"), ("EMILIE", "EMILY"), ("LEA", "LEON"), ("AB", "BAC")] {
            assert!(!within_one_edit(a.as_bytes(), b.as_bytes()), "{a} {b}");
        }
    }

    proptest! {
        #[test]
        fn agrees_with_strsim(a in "[A-E]{0,12}", b in "[A-E]{0,12}") {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            let theirs = strsim::jaro_winkler(&a, &b);
            prop_assert!((ours - theirs).abs() < 1e-9, "{} {} {} {}", a, b, ours, theirs);
        }

        #[test]
        fn one_edit_agrees_with_strsim(a in "[A-C]{0,7}", b in "[A-C]{0,7}") {
            let theirs = strsim::osa_distance(&a, &b) <= 1;
            prop_assert_eq!(within_one_edit(a.as_bytes(), b.as_bytes()), theirs, "{} {}", a, b);
        }

        #[test]
        fn any_bytes_agree_with_strsim(a in "[A-Z0-9 ]{0,20}", b in "[A-F0-9 ]{0,20}") {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            prop_assert!((ours - strsim::jaro_winkler(&a, &b)).abs() < 1e-9, "{} {}", a, b);
        }

        #[test]
        fn masks_and_scan_find_the_same_matches(a in "[A-F]{1,70}", b in "[A-F]{1,70}") {
            if let Some(fast) = match_letters(a.as_bytes(), b.as_bytes()) {
                prop_assert_eq!(fast, match_scalar(a.as_bytes(), b.as_bytes()));
            }
        }

        #[test]
        fn long_strings_agree_with_strsim(a in "[A-C]{60,90}", b in "[A-C]{60,90}") {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            prop_assert!((ours - strsim::jaro_winkler(&a, &b)).abs() < 1e-9);
        }
    }
}
