//! A 2D map of vectors: their first two principal components.
//!
//! The data are centred, then the top two eigenvectors of the covariance are found by power
//! iteration on `Xᵀ(X v)` (never forming the d×d covariance, so 4096-dimension vectors cost
//! no more than n·d per step), the second after deflating the first. Each point's
//! coordinates are its projections; the share of variance each axis explains comes with
//! them, so the map can say how much of the picture it shows.

/// The projection of each row onto the first two principal components, and the fraction
/// of the total variance each explains.
#[derive(Debug, Clone, PartialEq)]
pub struct Projection {
    pub points: Vec<[f32; 2]>,
    pub explained: [f32; 2],
}

const ITERATIONS: usize = 100;

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn normalise(v: &mut [f64]) -> f64 {
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
    norm
}

/// `Xᵀ (X v)` for centred rows `x`.
fn covariance_times(x: &[Vec<f64>], v: &[f64]) -> Vec<f64> {
    let mut out = vec![0.0; v.len()];
    for row in x {
        let projection = dot(row, v);
        for (o, r) in out.iter_mut().zip(row) {
            *o += projection * r;
        }
    }
    out
}

/// The dominant eigenvector of the covariance of `x`, orthogonal to `against`.
fn principal_axis(x: &[Vec<f64>], against: Option<&[f64]>) -> (Vec<f64>, f64) {
    let dims = x[0].len();
    // A fixed, non-degenerate start so the same data give the same map.
    let mut v: Vec<f64> = (0..dims).map(|i| 1.0 + (i as f64 * 0.618).fract()).collect();
    let orthogonalise = |v: &mut Vec<f64>| {
        if let Some(a) = against {
            let along = dot(v, a);
            v.iter_mut().zip(a).for_each(|(x, y)| *x -= along * y);
        }
    };
    orthogonalise(&mut v);
    normalise(&mut v);
    let mut eigenvalue = 0.0;
    for _ in 0..ITERATIONS {
        let mut next = covariance_times(x, &v);
        orthogonalise(&mut next);
        eigenvalue = normalise(&mut next);
        if eigenvalue == 0.0 {
            break;
        }
        let change: f64 = next.iter().zip(&v).map(|(a, b)| (a - b).abs()).sum();
        v = next;
        if change < 1e-9 {
            break;
        }
    }
    (v, eigenvalue)
}

/// Projects `rows` (all the same length, at least one) onto their first two principal
/// components.
pub fn project(rows: &[Vec<f32>]) -> Projection {
    if rows.is_empty() || rows[0].is_empty() {
        return Projection { points: Vec::new(), explained: [0.0, 0.0] };
    }
    let dims = rows[0].len();
    let n = rows.len() as f64;
    let mut mean = vec![0.0; dims];
    for row in rows {
        for (m, x) in mean.iter_mut().zip(row) {
            *m += f64::from(*x) / n;
        }
    }
    let centred: Vec<Vec<f64>> = rows
        .iter()
        .map(|row| row.iter().zip(&mean).map(|(x, m)| f64::from(*x) - m).collect())
        .collect();
    let total: f64 = centred.iter().map(|r| dot(r, r)).sum();
    let (first, l1) = principal_axis(&centred, None);
    let (second, l2) =
        if dims > 1 { principal_axis(&centred, Some(&first)) } else { (vec![0.0; dims], 0.0) };
    let points = centred.iter().map(|r| [dot(r, &first) as f32, dot(r, &second) as f32]).collect();
    let share = |l: f64| if total > 0.0 { (l / total) as f32 } else { 0.0 };
    Projection { points, explained: [share(l1), share(l2)] }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_on_a_line_project_onto_the_first_axis() {
        // x = t·(1, 2, 2)/3 + (5, 5, 5): one direction of variance.
        let rows: Vec<Vec<f32>> = (0..20)
            .map(|t| {
                let t = t as f32 - 10.0;
                vec![5.0 + t / 3.0, 5.0 + 2.0 * t / 3.0, 5.0 + 2.0 * t / 3.0]
            })
            .collect();
        let p = project(&rows);
        assert!(p.explained[0] > 0.999, "{:?}", p.explained);
        assert!(p.explained[1] < 1e-3);
        // Coordinates along the axis are t (up to sign), spaced 1 apart.
        let step = (p.points[1][0] - p.points[0][0]).abs();
        assert!((step - 1.0).abs() < 1e-3, "{step}");
        assert!(p.points.iter().all(|q| q[1].abs() < 1e-3));
    }

    #[test]
    fn two_clusters_separate_on_the_first_axis_and_spread_on_the_second() {
        let rows: Vec<Vec<f32>> = (0..40)
            .map(|i| {
                let side = if i < 20 { -10.0 } else { 10.0 };
                vec![side, (i % 20) as f32 * 0.5, 0.0, 1.0]
            })
            .collect();
        let p = project(&rows);
        let left: Vec<f32> = p.points[..20].iter().map(|q| q[0]).collect();
        let right: Vec<f32> = p.points[20..].iter().map(|q| q[0]).collect();
        assert!(left.iter().all(|x| x.signum() == left[0].signum()));
        assert!(right.iter().all(|x| x.signum() == -left[0].signum()));
        assert!(p.explained[0] > p.explained[1] && p.explained[1] > 0.0);
        assert!((p.explained[0] + p.explained[1] - 1.0).abs() < 1e-4, "two axes hold it all");
    }
}
