//! 64-bit SimHash over word shingles, and a band index that finds every
//! stored fingerprint within a small Hamming distance without a scan.

use std::collections::HashMap;

use super::terms;

/// Words per shingle.
const SHINGLE: usize = 3;
/// Fewer shingles than this and the text is too short to call a near-copy.
pub(crate) const MIN_SHINGLES: usize = 8;

/// Returns the SimHash of `text` (lower-cased word 3-shingles, each weighted
/// 1) and the number of shingles it was built from.
#[cfg(test)]
pub(crate) fn simhash(text: &str) -> (u64, usize) {
    let mut words: Vec<u64> = Vec::new();
    terms::for_each_token(text, |t| words.push(terms::word_hash(t)));
    simhash_of_words(&words)
}

/// [`simhash`] of a text given as the [`terms::word_hash`]es of its tokens.
pub(crate) fn simhash_of_words(words: &[u64]) -> (u64, usize) {
    if words.len() < SHINGLE {
        if words.is_empty() {
            return (0, 0);
        }
        // Too short for a shingle: hash the words as one feature.
        let h = words.iter().fold(0u64, |acc, w| terms::mix64(acc ^ w));
        return (h, 1);
    }
    // Each bit's count of shingles that set it (branch-free, so the loop
    // runs as vector adds); a bit is set when most shingles set it.
    let mut ones = [0u32; 64];
    let mut shingles = 0u32;
    for window in words.windows(SHINGLE) {
        let h = terms::mix64(
            window[0]
                .wrapping_mul(31)
                .wrapping_add(window[1].rotate_left(17))
                .wrapping_mul(31)
                .wrapping_add(window[2].rotate_left(41)),
        );
        for (bit, count) in ones.iter_mut().enumerate() {
            *count += ((h >> bit) & 1) as u32;
        }
        shingles += 1;
    }
    let mut out = 0u64;
    for (bit, count) in ones.iter().enumerate() {
        if 2 * count > shingles {
            out |= 1 << bit;
        }
    }
    (out, shingles as usize)
}

/// Fingerprints of the articles in the window, indexed by their four 16-bit
/// bands: two fingerprints within Hamming distance 3 share at least one band
/// (pigeonhole), so a lookup reads four short lists.
#[derive(Debug, Default)]
pub(crate) struct BandIndex {
    bands: HashMap<(u8, u16), Vec<(u64, u64)>>,
}

fn bands(fingerprint: u64) -> [(u8, u16); 4] {
    [0u8, 1, 2, 3].map(|i| (i, (fingerprint >> (16 * u32::from(i))) as u16))
}

impl BandIndex {
    /// Adds article `slot` with `fingerprint`.
    pub(crate) fn insert(&mut self, fingerprint: u64, slot: u64) {
        for band in bands(fingerprint) {
            self.bands
                .entry(band)
                .or_default()
                .push((fingerprint, slot));
        }
    }

    /// Removes article `slot`.
    pub(crate) fn remove(&mut self, fingerprint: u64, slot: u64) {
        for band in bands(fingerprint) {
            if let Some(list) = self.bands.get_mut(&band) {
                list.retain(|&(_, s)| s != slot);
                if list.is_empty() {
                    self.bands.remove(&band);
                }
            }
        }
    }

    /// Returns the slots whose fingerprint is within `distance` (≤ 3) bits of
    /// `fingerprint`, smallest distance first, then oldest (smallest slot).
    pub(crate) fn near(&self, fingerprint: u64, distance: u32) -> Vec<(u32, u64)> {
        let mut out: Vec<(u32, u64)> = Vec::new();
        for band in bands(fingerprint) {
            if let Some(list) = self.bands.get(&band) {
                for &(other, slot) in list {
                    let d = (other ^ fingerprint).count_ones();
                    if d <= distance && !out.iter().any(|&(_, s)| s == slot) {
                        out.push((d, slot));
                    }
                }
            }
        }
        out.sort_unstable();
        out
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A synthetic article of about 300 words.
    pub(crate) fn long_text(subject: &str) -> String {
        (1..=25)
            .map(|n| {
                format!(
                    "Inspector {n} checked part {} of the {subject} on day {n} and wrote a report of {} pages.",
                    n * 7,
                    n * 3 + 1
                )
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn near_copy_is_close_and_other_text_is_far() {
        let text = long_text("harbour bridge");
        let (a, shingles) = simhash(&text);
        assert!(shingles > 250);
        let copy = text.replace("day 4 ", "day four ") + " Updated.";
        let (b, _) = simhash(&copy);
        let other: Vec<String> = (1..=25)
            .map(|n| {
                format!(
                    "Shares of firm {n} fell {} percent on weak sales in region {n}.",
                    n * 2
                )
            })
            .collect();
        let (c, _) = simhash(&other.join(" "));
        assert!(
            (a ^ b).count_ones() <= 3,
            "near copy: {}",
            (a ^ b).count_ones()
        );
        assert!(
            (a ^ c).count_ones() > 10,
            "different: {}",
            (a ^ c).count_ones()
        );
    }

    #[test]
    fn band_index_finds_within_three_bits() {
        let mut index = BandIndex::default();
        let base = 0x0123_4567_89ab_cdef_u64;
        index.insert(base, 1);
        index.insert(base ^ 0b111 << 20 ^ 1 << 60, 2);
        index.insert(!base, 3);
        assert_eq!(index.near(base ^ 1 << 5 ^ 1 << 40, 3), vec![(2, 1)]);
        assert_eq!(index.near(base, 3), vec![(0, 1)]);
        index.remove(base, 1);
        assert!(index.near(base, 3).is_empty());
    }
}
