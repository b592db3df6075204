//! Exact linear algebra for the attacker: which unknowns a linear system pins down, and how.
//!
//! An unknown x_i is determined by a consistent system A·x = b iff every solution gives it the
//! same value, iff the unit vector e_i lies in the row space of A. The right-hand side plays no
//! part in *whether* a cell can be recovered, only in its value, so only A is given here.
//!
//! The reduction is done over the integers (fraction-free Gauss–Jordan, each row divided by the
//! gcd of its coefficients): exact, unlike floating point or a finite field, and the
//! coefficients of margin and stock–flow equations stay tiny. Each row carries the combination
//! of the original equations it stands for, which says how the attacker gets a cell
//! ([`Analysis::certificates`]) and which combinations of equations say nothing
//! ([`Analysis::dependencies`]): with both, the effect of hiding one more cell is a dot product.

/// One equation: (unknown index, coefficient) pairs; repeated indices add up.
pub type Equation = Vec<(usize, i64)>;

/// A sparse vector, sorted by index, without zero coefficients.
pub type Sparse = Vec<(usize, i128)>;

/// What the equations say about the unknowns.
#[derive(Debug, Clone)]
pub struct Analysis {
    /// For each unknown, whether the equations determine it.
    pub determined: Vec<bool>,
    /// For each determined unknown, a combination of the equations (equation index, factor)
    /// whose left-hand side is a multiple of that unknown alone: the attacker's recipe.
    pub certificates: Vec<Option<Sparse>>,
    /// A basis of the combinations of equations whose left-hand side vanishes (the left null
    /// space of A, equations without unknowns included).
    pub dependencies: Vec<Sparse>,
}

/// For each of `unknowns` unknowns, whether `equations` determine it.
pub fn determined(unknowns: usize, equations: &[Equation]) -> Vec<bool> {
    analyse(unknowns, equations).determined
}

/// A reduced row: its coefficients, and the combination of equations it is.
#[derive(Debug, Clone)]
struct Row {
    coefficients: Sparse,
    combination: Sparse,
}

/// Keeps the rows in reduced row echelon form as they arrive: each kept row owns a pivot unknown
/// that no other row mentions. Then e_i is in the row space iff some row is exactly (a multiple
/// of) e_i: a combination of rows equal to e_i can use no row but the one owning i, since every
/// other row brings its own pivot with it. An equation reduced to nothing is a dependency.
pub fn analyse(unknowns: usize, equations: &[Equation]) -> Analysis {
    let mut rows: Vec<Row> = Vec::new();
    let mut pivot: Vec<usize> = Vec::new();
    let mut owner: Vec<Option<usize>> = vec![None; unknowns];
    let mut dependencies = Vec::new();
    // How many kept rows mention each unknown, and which rows may (a superset: checked on use).
    let mut count: Vec<usize> = vec![0; unknowns];
    let mut holders: Vec<Vec<usize>> = vec![Vec::new(); unknowns];
    for (e, equation) in equations.iter().enumerate() {
        let mut v = Row { coefficients: normalise(equation), combination: vec![(e, 1)] };
        divide_by_gcd(&mut v);
        // Reduce against the existing pivots. A pivot row holds no other pivot unknown, so this
        // never brings back a pivot already eliminated.
        let pivots: Vec<usize> = v.coefficients.iter().filter_map(|&(i, _)| owner[i]).collect();
        for r in pivots {
            v = eliminate(&v, &rows[r], pivot[r]);
        }
        // The new pivot: the unknown of v in the fewest kept rows, to limit fill-in.
        let Some(p) = v.coefficients.iter().map(|&(i, _)| i).min_by_key(|&i| (count[i], i)) else {
            dependencies.push(v.combination);
            continue;
        };
        let mut with_p = std::mem::take(&mut holders[p]);
        with_p.sort_unstable();
        with_p.dedup();
        for r in with_p {
            if coefficient(&rows[r].coefficients, p) == 0 {
                continue;
            }
            let new = eliminate(&rows[r], &v, p);
            for &(i, _) in &rows[r].coefficients {
                count[i] -= 1;
            }
            for &(i, _) in &new.coefficients {
                count[i] += 1;
                if coefficient(&rows[r].coefficients, i) == 0 {
                    holders[i].push(r);
                }
            }
            rows[r] = new;
        }
        let r = rows.len();
        for &(i, _) in &v.coefficients {
            count[i] += 1;
            holders[i].push(r);
        }
        owner[p] = Some(r);
        pivot.push(p);
        rows.push(v);
    }
    let alone = |r: usize| rows[r].coefficients.len() == 1;
    Analysis {
        determined: owner.iter().map(|o| o.is_some_and(alone)).collect(),
        certificates: owner.iter().map(|o| o.filter(|&r| alone(r)).map(|r| rows[r].combination.clone())).collect(),
        dependencies,
    }
}

/// Σ over a sparse combination of equations times the coefficients of one unknown in them.
pub fn dot(combination: &Sparse, column: &[(usize, i64)]) -> i128 {
    column.iter().map(|&(e, a)| coefficient(combination, e) * i128::from(a)).sum()
}

fn coefficient(v: &Sparse, i: usize) -> i128 {
    v.binary_search_by_key(&i, |&(j, _)| j).map_or(0, |k| v[k].1)
}

fn normalise(equation: &Equation) -> Sparse {
    let mut row: Sparse = equation.iter().map(|&(i, a)| (i, i128::from(a))).collect();
    row.sort_by_key(|&(i, _)| i);
    let mut merged: Sparse = Vec::with_capacity(row.len());
    for (i, a) in row {
        match merged.last_mut() {
            Some((j, b)) if *j == i => *b += a,
            _ => merged.push((i, a)),
        }
    }
    merged.retain(|&(_, a)| a != 0);
    merged
}

/// `b·row − a·pivot_row`, where a and b are the coefficients of unknown `p` in row and pivot_row:
/// the result has no `p`.
fn eliminate(row: &Row, pivot_row: &Row, p: usize) -> Row {
    let (a, b) = (coefficient(&row.coefficients, p), coefficient(&pivot_row.coefficients, p));
    let mut out = Row {
        coefficients: combine(b, &row.coefficients, -a, &pivot_row.coefficients),
        combination: combine(b, &row.combination, -a, &pivot_row.combination),
    };
    divide_by_gcd(&mut out);
    out
}

/// `k·x + l·y`.
fn combine(k: i128, x: &Sparse, l: i128, y: &Sparse) -> Sparse {
    let mul = |k: i128, c: i128| k.checked_mul(c).expect("coefficients stay small");
    let (mut x, mut y) = (x.iter().peekable(), y.iter().peekable());
    let mut out = Sparse::with_capacity(x.len() + y.len());
    loop {
        let next = match (x.peek(), y.peek()) {
            (None, None) => break,
            (Some(&&(i, c)), Some(&&(j, d))) if i == j => {
                x.next();
                y.next();
                (i, mul(k, c).checked_add(mul(l, d)).expect("coefficients stay small"))
            }
            (Some(&&(i, c)), Some(&&(j, _))) if i < j => {
                x.next();
                (i, mul(k, c))
            }
            (Some(&&(i, c)), None) => {
                x.next();
                (i, mul(k, c))
            }
            (_, Some(&&(j, d))) => {
                y.next();
                (j, mul(l, d))
            }
        };
        if next.1 != 0 {
            out.push(next);
        }
    }
    out
}

fn divide_by_gcd(row: &mut Row) {
    let g = row.coefficients.iter().chain(&row.combination).fold(0i128, |g, &(_, a)| gcd(g, a.abs()));
    if g > 1 {
        row.coefficients.iter_mut().chain(row.combination.iter_mut()).for_each(|(_, a)| *a /= g);
    }
}

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_lone_unknown_is_determined_and_a_pair_is_not() {
        // x0 = 3; x1 + x2 = 5
        assert_eq!(determined(3, &[vec![(0, 1)], vec![(1, 1), (2, 1)]]), [true, false, false]);
    }

    #[test]
    fn differences_of_equations_are_found() {
        // x0 + x1 = a, x1 + x2 = b, x0 + x2 = c: all three are determined (x0 = (a − b + c) / 2).
        let eqs = [vec![(0, 1), (1, 1)], vec![(1, 1), (2, 1)], vec![(0, 1), (2, 1)]];
        let a = analyse(3, &eqs);
        assert_eq!(a.determined, [true, true, true]);
        // The recipe for x0: first − second + third, up to a factor.
        let recipe = a.certificates[0].clone().unwrap();
        let factors: Vec<i128> = (0..3).map(|e| coefficient(&recipe, e)).collect();
        assert!(factors == [1, -1, 1] || factors == [-1, 1, -1], "{factors:?}");
        // The same pattern as a 2×2 table with margins: a cycle, nothing determined.
        // rows: x0 + x1, x2 + x3; columns: x0 + x2, x1 + x3; grand total.
        let table = [
            vec![(0, 1), (1, 1)],
            vec![(2, 1), (3, 1)],
            vec![(0, 1), (2, 1)],
            vec![(1, 1), (3, 1)],
            vec![(0, 1), (1, 1), (2, 1), (3, 1)],
        ];
        let a = analyse(4, &table);
        assert_eq!(a.determined, [false; 4]);
        // Two dependencies: rows − columns, and rows − grand total.
        assert_eq!(a.dependencies.len(), 2);
        for z in &a.dependencies {
            for x in 0..4 {
                let column: Vec<(usize, i64)> = table
                    .iter()
                    .enumerate()
                    .filter_map(|(e, eq)| eq.iter().find(|(i, _)| *i == x).map(|(_, c)| (e, *c)))
                    .collect();
                assert_eq!(dot(z, &column), 0);
            }
        }
    }

    #[test]
    fn repeated_and_cancelling_terms() {
        // x0 + x1 − x1 + x0 = 2·x0: determined; x1 appears in no equation: free.
        assert_eq!(determined(2, &[vec![(0, 1), (1, 1), (1, -1), (0, 1)]]), [true, false]);
        assert_eq!(determined(1, &[]), [false]);
        // An equation without unknowns is a dependency.
        assert_eq!(analyse(1, &[vec![]]).dependencies, [vec![(0, 1)]]);
    }
}
