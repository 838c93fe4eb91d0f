//! Tables laid out as bytes, built from the shipped TSV tables by the
//! crate's build script and read in place from the binary (nothing to
//! parse at start, no heap copy), or built at run time from a table a user
//! gives: open-addressing hash tables from a 64-bit key hash to a 4- or
//! 8-byte value ([`build`], [`get`]: the clusters, the place names, the
//! countries), and the place records ([`place_records`], [`place_at`]).
//!
//! This file is also compiled into `build.rs` (`#[path]`): it uses nothing
//! of the crate but `wirehose_text`.
//!
//! Hash tables, little-endian: the number of slots and the bytes of a value (4
//! or 8) as two `u64`s, then the slots, each the low 32 bits of the key's
//! hash (0 for an empty slot) and the value. A key is found by linear
//! probing from the slot its hash maps to (multiply-shift over the slot
//! count); tables are at most 3/5 full. Keeping 32 bits of a key makes a
//! word the table lacks match another's slot about once in 10⁹ look-ups.

use wirehose_text::hash::hash64;

/// Fewest slots per entry: 5/3, a load of 0.6 at most (about 3.6 probes
/// for a key the table lacks, 1.75 for one it has).
const SLOTS_PER_ENTRY: (usize, usize) = (5, 3);

/// Bytes of the header: slot count and value width.
const HEADER: usize = 16;

/// A key as stored: its low 32 bits, 0 marking an empty slot (so 0 is
/// stored as 1).
#[inline]
fn stored(key: u64) -> u32 {
    (key as u32).max(1)
}

/// The slot a key's probe starts at.
#[inline]
fn home(key: u64, slots: usize) -> usize {
    ((u128::from(key) * slots as u128) >> 64) as usize
}

/// Lays out `entries` (key hash, value) as a table with values of
/// `value_bytes` bytes (4 or 8; a 4-byte value keeps the low 32 bits); a
/// key given twice keeps its last value.
pub fn build(entries: &[(u64, u64)], value_bytes: usize) -> Vec<u8> {
    assert!(
        value_bytes == 4 || value_bytes == 8,
        "values are 4 or 8 bytes"
    );
    let slots = (entries.len() * SLOTS_PER_ENTRY.0 / SLOTS_PER_ENTRY.1).max(8);
    let width = 4 + value_bytes;
    let mut table = vec![0u8; HEADER + slots * width];
    table[..8].copy_from_slice(&(slots as u64).to_le_bytes());
    table[8..16].copy_from_slice(&(value_bytes as u64).to_le_bytes());
    for &(key, value) in entries {
        let stored = stored(key);
        let mut slot = home(key, slots);
        loop {
            let at = HEADER + slot * width;
            let current = read_u32(&table, at);
            if current == 0 || current == stored {
                table[at..at + 4].copy_from_slice(&stored.to_le_bytes());
                table[at + 4..at + width].copy_from_slice(&value.to_le_bytes()[..value_bytes]);
                break;
            }
            slot = if slot + 1 == slots { 0 } else { slot + 1 };
        }
    }
    table
}

#[inline]
fn read_u32(table: &[u8], at: usize) -> u32 {
    let mut bytes = [0u8; 4];
    bytes.copy_from_slice(&table[at..at + 4]);
    u32::from_le_bytes(bytes)
}

#[inline]
fn read_u64(table: &[u8], at: usize) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(&table[at..at + 8]);
    u64::from_le_bytes(bytes)
}

/// The table's slot count and slot width.
#[inline]
fn shape(table: &[u8]) -> (usize, usize) {
    (read_u64(table, 0) as usize, 4 + read_u64(table, 8) as usize)
}

/// The value of `key` in a table laid out by [`build`].
#[inline]
pub fn get(table: &[u8], key: u64) -> Option<u64> {
    let (slots, width) = shape(table);
    let stored = stored(key);
    let mut slot = home(key, slots);
    for _ in 0..slots {
        let at = HEADER + slot * width;
        match read_u32(table, at) {
            0 => return None,
            k if k == stored => {
                return Some(if width == 12 {
                    read_u64(table, at + 4)
                } else {
                    u64::from(read_u32(table, at + 4))
                });
            }
            _ => slot = if slot + 1 == slots { 0 } else { slot + 1 },
        }
    }
    None
}

/// Number of keys in a table laid out by [`build`].
pub fn len(table: &[u8]) -> usize {
    let (slots, width) = shape(table);
    (0..slots)
        .filter(|slot| read_u32(table, HEADER + slot * width) != 0)
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

/// Bytes of one place record: GeoNames id, latitude, longitude and
/// population (8 bytes each), the name's offset (4) and length (2) in the
/// name pool, the kind (1: `C`, `A` or `P`), the country code (2) and
/// padding to 48.
pub const PLACE_RECORD: usize = 48;

/// The places of a table (see `geo`) laid out as bytes: their count (a
/// `u64`), the records of [`PLACE_RECORD`] bytes in table order, then the
/// pool of their names; and the entries of a table from the hash of each
/// country's code to its index. A line that is not a place is an error
/// naming its line.
pub fn place_records(text: &str) -> Result<(Vec<u8>, Entries), LineError> {
    let mut records = Vec::new();
    let mut pool = String::new();
    let mut countries = Vec::new();
    let mut count = 0u64;
    for (number, line) in text.split('\n').enumerate() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let bad = |message: &str| (number + 1, message.to_string());
        let mut fields = [""; 7];
        let mut rest = line;
        for field in &mut fields {
            let tab = rest
                .bytes()
                .position(|b| b == b'\t')
                .ok_or_else(|| bad("expected 8 tab-separated fields"))?;
            *field = &rest[..tab];
            rest = &rest[tab + 1..];
        }
        let kind = match fields[1] {
            "C" | "A" | "P" => fields[1].as_bytes()[0],
            _ => return Err(bad("kind must be C, A or P")),
        };
        let id: u64 = fields[0].parse().map_err(|_| bad("bad geonames id"))?;
        let lat: f64 = fields[3].parse().map_err(|_| bad("bad latitude"))?;
        let lon: f64 = fields[4].parse().map_err(|_| bad("bad longitude"))?;
        let population: u64 = fields[5].parse().map_err(|_| bad("bad population"))?;
        let country = fields[2].as_bytes();
        if country.len() != 2 || !country.iter().all(u8::is_ascii_uppercase) {
            return Err(bad("country must be a two-letter ISO code"));
        }
        let name = fields[6];
        let offset = u32::try_from(pool.len()).map_err(|_| bad("names too long"))?;
        let length = u16::try_from(name.len()).map_err(|_| bad("name too long"))?;
        pool.push_str(name);
        if kind == b'C' {
            countries.push((hash64(country), count));
        }
        let start = records.len();
        records.extend_from_slice(&id.to_le_bytes());
        records.extend_from_slice(&lat.to_le_bytes());
        records.extend_from_slice(&lon.to_le_bytes());
        records.extend_from_slice(&population.to_le_bytes());
        records.extend_from_slice(&offset.to_le_bytes());
        records.extend_from_slice(&length.to_le_bytes());
        records.push(kind);
        records.extend_from_slice(country);
        records.resize(start + PLACE_RECORD, 0);
        count += 1;
    }
    let mut out = Vec::with_capacity(8 + records.len() + pool.len());
    out.extend_from_slice(&count.to_le_bytes());
    out.extend_from_slice(&records);
    out.extend_from_slice(pool.as_bytes());
    Ok((out, countries))
}

/// Number of places in bytes laid out by [`place_records`].
pub fn place_count(places: &[u8]) -> usize {
    read_u64(places, 0) as usize
}

/// A place's fields: id, kind byte, country, lat, lon, population, name.
pub type PlaceFields<'a> = (u64, u8, &'a str, f64, f64, u64, &'a str);

/// The fields of place `index` in bytes laid out by [`place_records`].
pub fn place_at(places: &[u8], index: usize) -> PlaceFields<'_> {
    let at = 8 + index * PLACE_RECORD;
    let record = &places[at..at + PLACE_RECORD];
    let f64_at = |i: usize| f64::from_le_bytes(record[i..i + 8].try_into().unwrap_or([0; 8]));
    let offset = read_u32(record, 32) as usize;
    let length = usize::from(u16::from_le_bytes([record[36], record[37]]));
    let pool = 8 + place_count(places) * PLACE_RECORD;
    let text = |range: std::ops::Range<usize>| std::str::from_utf8(&places[range]).unwrap_or("");
    (
        read_u64(record, 0),
        record[38],
        text(at + 39..at + 41),
        f64_at(8),
        f64_at(16),
        read_u64(record, 24),
        text(pool + offset..pool + offset + length),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_found_and_missing_ones_are_not() {
        let entries: Vec<(u64, u64)> = (0..1000u64)
            .map(|i| (hash64(&i.to_le_bytes()), i * 3))
            .collect();
        for width in [4, 8] {
            let table = build(&entries, width);
            assert_eq!(len(&table), 1000);
            for &(key, value) in &entries {
                assert_eq!(get(&table, key), Some(value));
            }
            let missing = (1000..3000u64)
                .filter(|i| get(&table, hash64(&i.to_le_bytes())).is_some())
                .count();
            assert_eq!(missing, 0);
        }
        // A key given twice keeps its last value; an empty table finds nothing.
        let table = build(&[(7, 1), (7, 2), (0, 5)], 8);
        assert_eq!(get(&table, 7), Some(2));
        assert_eq!(get(&table, 0), Some(5));
        assert_eq!(get(&build(&[], 4), 7), None);
    }

    #[test]
    fn every_shipped_entry_reads_back() {
        // 32 bits of each key are kept: no two shipped keys may share them
        // on one probe path, or one would read the other's value.
        let clusters = cluster_entries(include_str!("../models/clusters.tsv"));
        let table = build(&clusters, 8);
        assert!(clusters.iter().all(|&(k, v)| get(&table, k) == Some(v)));
        let (names, _) = place_names(include_str!("../models/places.tsv")).unwrap();
        let table = build(&names, 4);
        assert!(names.iter().all(|&(k, v)| get(&table, k) == Some(v)));
    }
}
