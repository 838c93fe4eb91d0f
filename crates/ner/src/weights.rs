//! The tagger's weight tables, stored as one byte per weight.
//!
//! A trained stage has `2^bits` rows of [`N_TAGS`] float weights, one row
//! per hashed feature. Each row is stored as a shift byte and [`N_TAGS`]
//! signed bytes: weight `t` of the row is `code[t] << shift`, in a unit
//! shared by the whole stage. The shift is the smallest that makes the
//! row's largest weight fit in a byte, so every row keeps its weights to
//! within 1/128 of its largest, whether it is a rare word's (small
//! weights) or a bias's (large). Scoring a token adds its features' rows:
//! nine byte loads, widenings, shifts and adds that the compiler turns into
//! vector instructions. Against the 16-bit linear weights the tagger had
//! before, the table is 10/18 the size at the same accuracy: the training
//! loop picks its best epoch on the quantised model, so any loss shows in
//! the development score it prints.

use std::borrow::Cow;

use crate::features::N_TAGS;

/// Bytes of one row: the shift, then one code per tag.
pub(crate) const ROW_BYTES: usize = N_TAGS + 1;

/// Largest shift: a code of 127 shifted by it is the stage's largest
/// weight. 127 << 15 is about 4.2 million, so a token's sum over a few
/// hundred features stays inside an `i32`.
const MAX_SHIFT: u32 = 15;

/// One stage's weights.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Weights {
    /// `2^bits` rows of [`ROW_BYTES`]; borrowed from the binary for the
    /// built-in model, so it is not held twice.
    pub(crate) rows: Cow<'static, [u8]>,
}

impl Weights {
    /// Quantises float weights (row-major, [`N_TAGS`] per row).
    pub(crate) fn quantise(weights: &[f32]) -> Weights {
        let max = weights
            .iter()
            .fold(0f32, |m, w| m.max(w.abs()))
            .max(f32::MIN_POSITIVE);
        // Weights in units: the largest becomes 127 << MAX_SHIFT.
        let unit = max / (127u32 << MAX_SHIFT) as f32;
        let mut rows = Vec::with_capacity(weights.len() / N_TAGS * ROW_BYTES);
        for row in weights.chunks_exact(N_TAGS) {
            let row_max = row.iter().fold(0f32, |m, w| m.max(w.abs())) / unit;
            let mut shift = 0u32;
            while shift < MAX_SHIFT && row_max / (1u32 << shift) as f32 > 127.0 {
                shift += 1;
            }
            let step = unit * (1u32 << shift) as f32;
            rows.push(shift as u8);
            rows.extend(
                row.iter()
                    .map(|w| (w / step).round().clamp(-127.0, 127.0) as i8 as u8),
            );
        }
        Weights {
            rows: Cow::Owned(rows),
        }
    }

    /// Adds the weights of `features`' rows to a score per tag; `bits` is
    /// the table's size as a power of two.
    #[inline]
    pub(crate) fn scores(&self, bits: u32, features: &[u64]) -> [i32; N_TAGS] {
        let mut scores = [0i32; N_TAGS];
        let rows: &[u8] = &self.rows;
        for &feature in features {
            let at = (feature >> (64 - bits)) as usize * ROW_BYTES;
            let row = &rows[at..at + ROW_BYTES];
            let shift = u32::from(row[0] & 15);
            for (score, code) in scores.iter_mut().zip(&row[1..]) {
                *score += i32::from(*code as i8) << shift;
            }
        }
        scores
    }

    /// The stored size of a stage of `2^bits` rows.
    pub(crate) fn stored_len(bits: u32) -> usize {
        (1usize << bits) * ROW_BYTES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(q: &Weights) -> Vec<i64> {
        q.rows
            .chunks_exact(ROW_BYTES)
            .flat_map(|row| row[1..].iter().map(move |c| i64::from(*c as i8) << row[0]))
            .collect()
    }

    #[test]
    fn zero_stays_zero_and_order_is_kept_in_a_row() {
        let mut weights = vec![0.0f32; 3 * N_TAGS];
        for (i, w) in weights.iter_mut().enumerate().skip(N_TAGS) {
            *w = (i as f32 - 14.0) * 0.37;
        }
        let q = Weights::quantise(&weights);
        let back = decoded(&q);
        assert!(back[..N_TAGS].iter().all(|v| *v == 0));
        for row in back[N_TAGS..].chunks(N_TAGS) {
            assert!(row.windows(2).all(|w| w[0] <= w[1]), "{row:?}");
        }
    }

    #[test]
    fn small_rows_keep_their_precision() {
        // A row of tiny weights next to a row of large ones: both come back
        // within 1/128 of their own row's largest weight.
        let mut weights = vec![0.0f32; 2 * N_TAGS];
        for t in 0..N_TAGS {
            weights[t] = 0.001 * (t as f32 + 1.0);
            weights[N_TAGS + t] = -50.0 + 11.0 * t as f32;
        }
        let q = Weights::quantise(&weights);
        let back = decoded(&q);
        let unit = 50.0 / (127u32 << MAX_SHIFT) as f64;
        for (row, got) in weights.chunks(N_TAGS).zip(back.chunks(N_TAGS)) {
            let max = row.iter().fold(0f32, |m, w| m.max(w.abs())) as f64;
            for (w, g) in row.iter().zip(got) {
                let err = (*g as f64 * unit - f64::from(*w)).abs();
                assert!(err <= max / 127.0, "{w} came back as {}", *g as f64 * unit);
            }
        }
    }

    #[test]
    fn scores_add_rows() {
        let mut weights = vec![0.0f32; 4 * N_TAGS];
        weights[N_TAGS] = 2.0; // row 1, tag 0
        weights[3 * N_TAGS + 1] = 1.0; // row 3, tag 1
        let q = Weights::quantise(&weights);
        let row = |r: u64| r << 62;
        let s = q.scores(2, &[row(1), row(3), row(1)]);
        assert!(s[0] > 0 && s[1] > 0 && s[0] > s[1]);
        assert!(s[2..].iter().all(|v| *v == 0));
    }
}
