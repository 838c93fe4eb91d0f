//! Lookup tables laid out as bytes: open-addressing hash tables from a
//! 64-bit key hash to a 64-bit value, built from the shipped TSV tables by
//! the crate's build script and read in place from the binary (nothing to
//! parse at start, no heap copy), or built at run time from a table a user
//! gives.
//!
//! This file is also compiled into `build.rs` (`#[path]`): it uses nothing
//! of the crate but `wirehose_text`.
//!
//! Layout, little-endian: the number of slots (a power of two) as a `u64`,
//! then the slots, each a key (`u64`, 0 for an empty slot) and a value
//! (`u64`). A key is found by linear probing from `key & (slots - 1)`.

use wirehose_text::hash::hash64;

/// Bytes of one slot: key and value.
const SLOT: usize = 16;

/// A key as stored: 0 marks an empty slot, so a hash of 0 is stored as 1.
fn stored(key: u64) -> u64 {
    key.max(1)
}

/// Lays out `entries` (key hash, value) as a table; a key given twice keeps
/// its last value. Slots are at least 10/7 of the entries (a load of 0.7 at
/// most).
pub fn build(entries: &[(u64, u64)]) -> Vec<u8> {
    let slots = (entries.len() * 10 / 7 + 1).next_power_of_two().max(8);
    let mut table = vec![0u8; 8 + slots * SLOT];
    table[..8].copy_from_slice(&(slots as u64).to_le_bytes());
    let mask = slots - 1;
    for &(key, value) in entries {
        let key = stored(key);
        let mut slot = (key as usize) & mask;
        loop {
            let at = 8 + slot * SLOT;
            let current = read_u64(&table, at);
            if current == 0 || current == key {
                table[at..at + 8].copy_from_slice(&key.to_le_bytes());
                table[at + 8..at + 16].copy_from_slice(&value.to_le_bytes());
                break;
            }
            slot = (slot + 1) & mask;
        }
    }
    table
}

fn read_u64(table: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&table[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// The value of `key` in a table laid out by [`build`].
#[inline]
pub fn get(table: &[u8], key: u64) -> Option<u64> {
    let slots = read_u64(table, 0) as usize;
    let mask = slots.wrapping_sub(1);
    let key = stored(key);
    let mut slot = (key as usize) & mask;
    for _ in 0..slots {
        let at = 8 + slot * SLOT;
        match read_u64(table, at) {
            0 => return None,
            k if k == key => return Some(read_u64(table, at + 8)),
            _ => slot = (slot + 1) & mask,
        }
    }
    None
}

/// Number of keys in a table laid out by [`build`].
pub fn len(table: &[u8]) -> usize {
    let slots = read_u64(table, 0) as usize;
    (0..slots)
        .filter(|slot| read_u64(table, 8 + slot * SLOT) != 0)
        .count()
}

/// Cluster ids packed into a table value.
pub fn pack_ids(ids: [u16; 4]) -> u64 {
    ids.iter()
        .enumerate()
        .fold(0, |packed, (i, id)| packed | u64::from(*id) << (16 * i))
}

/// Cluster ids of a table value.
pub fn unpack_ids(value: u64) -> [u16; 4] {
    std::array::from_fn(|i| (value >> (16 * i)) as u16)
}

/// A `word<TAB>id<TAB>id<TAB>id<TAB>id` line of the clusters table, nothing
/// more, ids below 65,536.
pub fn cluster_line(line: &str) -> Option<(&str, [u16; 4])> {
    let bytes = line.as_bytes();
    let tab = bytes.iter().position(|b| *b == b'\t')?;
    let mut row = [0u16; 4];
    let mut fields = bytes[tab + 1..].split(|b| *b == b'\t');
    for id in &mut row {
        let field = fields.next()?;
        if field.is_empty() || field.len() > 5 {
            return None;
        }
        let mut value = 0u32;
        for byte in field {
            if !byte.is_ascii_digit() {
                return None;
            }
            value = value * 10 + u32::from(byte - b'0');
        }
        *id = u16::try_from(value).ok()?;
    }
    fields.next().is_none().then_some((&line[..tab], row))
}

/// The entries of a clusters table (`#` lines are comments; malformed lines
/// are skipped): hash of the word → packed ids.
pub fn cluster_entries(text: &str) -> Entries {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(cluster_line)
        .map(|(word, ids)| (hash64(word.as_bytes()), pack_ids(ids)))
        .collect()
}

/// How a place's claim on a shared name ranks (lower wins): countries over
/// regions over cities (`C`, `A`, `P`), then the bigger population.
pub fn place_rank(kind: &str, population: u64) -> (u8, std::cmp::Reverse<u64>) {
    let kind = match kind {
        "C" => 0,
        "A" => 1,
        _ => 2,
    };
    (kind, std::cmp::Reverse(population))
}

/// Entries of a table: (key hash, value).
pub type Entries = Vec<(u64, u64)>;

/// A table line that is wrong: its number and what is wrong.
pub type LineError = (usize, String);

/// The names of a places table (see `geo`): hash of each lower-cased name
/// and alias → index of the place that wins it (by [`place_rank`]), and the
/// longest name in words. A line that is not 8 tab-separated fields, or
/// whose population is not a number, is an error naming its line.
pub fn place_names(text: &str) -> Result<(Entries, usize), LineError> {
    let mut winners: std::collections::HashMap<u64, (u32, (u8, std::cmp::Reverse<u64>))> =
        std::collections::HashMap::new();
    let mut max_words = 0;
    let mut lower = String::new();
    let mut index = 0u32;
    for (number, line) in text.lines().enumerate() {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.split('\t').collect();
        if fields.len() != 8 {
            return Err((number + 1, "expected 8 tab-separated fields".into()));
        }
        let population: u64 = fields[5]
            .parse()
            .map_err(|_| (number + 1, "bad population".to_string()))?;
        let rank = place_rank(fields[1], population);
        let aliases = fields[7].split('|').filter(|alias| !alias.is_empty());
        for name in std::iter::once(fields[6]).chain(aliases) {
            max_words = max_words.max(name.split(' ').count());
            // ASCII names (most) are lower-cased in place; others as
            // `str::to_lowercase` does (a word-final sigma included).
            lower.clear();
            if name.is_ascii() {
                lower.push_str(name);
                lower.make_ascii_lowercase();
            } else {
                lower.push_str(&name.to_lowercase());
            }
            let key = hash64(lower.as_bytes());
            match winners.get(&key) {
                Some((_, other)) if *other <= rank => {}
                _ => {
                    winners.insert(key, (index, rank));
                }
            }
        }
        index += 1;
    }
    let mut entries: Vec<(u64, u64)> = winners
        .into_iter()
        .map(|(key, (index, _))| (key, u64::from(index)))
        .collect();
    entries.sort_unstable();
    Ok((entries, max_words))
}
