//! String similarities on bytes, without allocation (the strings are folded ASCII names).

/// Jaro similarity of two byte strings, in `[0, 1]`.
pub fn jaro(a: &[u8], b: &[u8]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    if a.is_empty() || b.is_empty() {
        return 0.0;
    }
    let window = (a.len().max(b.len()) / 2).saturating_sub(1);
    const STACK: usize = 64;
    let mut a_flags_s = [false; STACK];
    let mut b_flags_s = [false; STACK];
    let mut a_flags_v;
    let mut b_flags_v;
    let (a_flags, b_flags): (&mut [bool], &mut [bool]) = if a.len() <= STACK && b.len() <= STACK {
        (&mut a_flags_s[..a.len()], &mut b_flags_s[..b.len()])
    } else {
        a_flags_v = vec![false; a.len()];
        b_flags_v = vec![false; b.len()];
        (&mut a_flags_v, &mut b_flags_v)
    };
    let mut matches = 0usize;
    for (i, &ca) in a.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(b.len());
        for j in lo..hi {
            if !b_flags[j] && b[j] == ca {
                a_flags[i] = true;
                b_flags[j] = true;
                matches += 1;
                break;
            }
        }
    }
    if matches == 0 {
        return 0.0;
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
    let m = matches as f64;
    (m / a.len() as f64 + m / b.len() as f64 + (m - (transpositions / 2) as f64) / m) / 3.0
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
        fn long_strings_agree_with_strsim(a in "[A-C]{60,90}", b in "[A-C]{60,90}") {
            let ours = jaro_winkler(a.as_bytes(), b.as_bytes());
            prop_assert!((ours - strsim::jaro_winkler(&a, &b)).abs() < 1e-9);
        }
    }
}
