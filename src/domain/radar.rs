//! The radar chart of domain scores, as SVG coordinates: no JavaScript, prints as it shows.

/// Where the chart sits in its 320 × 320 view box, and the radius of a score of 5.
pub const CX: f64 = 160.0;
pub const CY: f64 = 160.0;
pub const R: f64 = 110.0;
pub const MAX: f64 = 5.0;

/// The point of score `v` on axis `i` of `n` (axis 0 points up, the others follow clockwise).
pub fn point(i: usize, n: usize, v: f64) -> (f64, f64) {
    let angle = -std::f64::consts::FRAC_PI_2 + i as f64 * std::f64::consts::TAU / n as f64;
    let r = R * (v.clamp(0.0, MAX) / MAX);
    (CX + r * angle.cos(), CY + r * angle.sin())
}

/// An SVG `points` attribute for the scores, one decimal per coordinate.
pub fn polygon(scores: &[f64]) -> String {
    scores
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let (x, y) = point(i, scores.len(), *v);
            format!("{x:.1},{y:.1}")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vertices_for_known_means() {
        // seed 004's example result
        let p = polygon(&[4.0, 2.3, 4.3, 5.0, 4.0, 5.0]);
        assert_eq!(
            p,
            "160.0,72.0 203.8,134.7 241.9,207.3 160.0,270.0 83.8,204.0 64.7,105.0"
        );
        // a full score touches the outer ring, zero sits at the centre
        assert_eq!(polygon(&[5.0, 0.0]), "160.0,50.0 160.0,160.0");
    }
}
