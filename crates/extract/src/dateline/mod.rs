//! Datelines: `SANTA CRUZ, Calif., Feb 26 -`, `Sochi (Russia), May 15 (AFP)`,
//! `LONDON (Reuters) -`, `Wien –`, `GENEVA U.S. …`.
//!
//! The wire forms are read by a small grammar ([`grammar`]); a few shapes
//! with no separator before the story are read by patterns after it. The
//! country is filled from what the dateline says (a bracket, a region) or
//! else from the GeoNames place table.

mod grammar;

use std::sync::LazyLock;

use regex::Regex;
use wirehose_core::Dateline;
use wirehose_ner::geo::{Gazetteer, PlaceKind};
use wirehose_text::calendar::month_number;

use wirehose_text::lists::{pairs, words};

/// Abbreviated regions (`Calif.`, `Ont.`) and their country codes.
static REGIONS: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../../data/region_abbreviations.tsv")));

/// All-caps words that open sentences but are not places.
static NOT_PLACES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../../data/not_places.txt")));

/// Finds the dateline at the start of one of the first paragraphs.
#[derive(Debug)]
pub struct DatelineFinder {
    place_date: Regex,
    caps_agency: Regex,
    caps_only: Regex,
}

impl Default for DatelineFinder {
    fn default() -> Self {
        DatelineFinder::new()
    }
}

fn title_case(place: &str) -> String {
    if place.chars().any(|c| c.is_lowercase()) {
        return place.trim().to_string();
    }
    place
        .split(' ')
        .map(|word| {
            word.split('-')
                .map(|part| {
                    let mut chars = part.chars();
                    match chars.next() {
                        Some(first) => first
                            .to_uppercase()
                            .chain(chars.flat_map(char::to_lowercase))
                            .collect(),
                        None => String::new(),
                    }
                })
                .collect::<Vec<String>>()
                .join("-")
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn iso_date(month: u32, day: u32, year: Option<&str>) -> Option<String> {
    if !(1..=31).contains(&day) {
        return None;
    }
    Some(match year {
        Some(year) => format!("{year}-{month:02}-{day:02}"),
        None => format!("--{month:02}-{day:02}"),
    })
}

/// Most characters a dateline's place or bracketed country takes, after its
/// first capital.
const NAME_CHARS: usize = 40;

/// Whether a `place_date` match's place and country are of a name's length.
/// The pattern leaves the bound out (`+?` rather than `{1,40}?`): a bounded
/// repetition of a Unicode class compiles into forty copies of it, 2.4 MB
/// of automaton and as much again of search cache, for the same matches
/// (the place is lazy and ends where the rest of the dateline can follow, the
/// country ends at its bracket, so a longer name only means no dateline).
fn within_name_length(found: &regex::Captures<'_>) -> bool {
    ["place", "country"].iter().all(|name| {
        found
            .name(name)
            .is_none_or(|m| m.as_str().chars().count() <= NAME_CHARS + 1)
    })
}

impl DatelineFinder {
    /// Compiles the patterns.
    pub fn new() -> DatelineFinder {
        let month = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";
        DatelineFinder {
            place_date: Regex::new(&format!(
                r"^(?P<place>[A-Z][\p{{L}}.'’\- ]+?)\s*(?:\((?P<country>[A-Z][\p{{L}} .'’\-]+)\))?,\s*{month}\s+(?P<day>\d{{1,2}})(?:,?\s+(?P<year>\d{{4}}))?\s*(?:\((?P<agency>[A-Za-z][A-Za-z -]{{1,30}})\))?\s*[-–—:]?\s*"
            ))
            .expect("dateline pattern"),
            caps_agency: Regex::new(
                r"^(?P<place>[A-Z][A-Z.'’\-]+(?: [A-Z][A-Z.'’\-]+){0,3})(?:,\s*(?P<country>[A-Z][\p{L}.]+(?: [A-Z][\p{L}.]+){0,2}))?\s*\((?P<agency>[A-Za-z][A-Za-z -]{1,30})\)\s*[-–—:]+\s*",
            )
            .expect("dateline pattern"),
            caps_only: Regex::new(
                r"^(?P<place>[A-Z]{3,}(?:[ -][A-Z]{3,}){0,2})(?:,\s*(?P<country>[A-Z][a-z]+(?: [A-Z][a-z]+)?))?\s*[-–—:]?\s+[A-Z“\x22‘]",
            )
            .expect("dateline pattern"),
        }
    }

    /// Returns the dateline found at the start of one of the first six
    /// paragraphs. `published` (`YYYY-MM-DD`) supplies a missing year.
    pub fn find(&self, paragraphs: &[String], published: Option<&str>) -> Option<Dateline> {
        let year = published
            .and_then(|p| p.get(..4))
            .filter(|y| y.chars().all(|c| c.is_ascii_digit()));
        let gazetteer = Gazetteer::builtin();
        let mut found = self.find_raw(paragraphs, year)?;
        if found.country.is_none() {
            found.country = country_from_place(&found.place, gazetteer);
        }
        Some(found)
    }

    fn find_raw(&self, paragraphs: &[String], year: Option<&str>) -> Option<Dateline> {
        let gazetteer = Gazetteer::builtin();
        for paragraph in paragraphs.iter().take(6) {
            if let Some(parts) = grammar::parse(paragraph)
                && let Some(dateline) = from_parts(&parts, year, gazetteer)
            {
                return Some(dateline);
            }
            if let Some(found) = self
                .place_date
                .captures(paragraph)
                .filter(|found| within_name_length(found))
            {
                let month = month_number(&found["month"]);
                let day: u32 = found["day"].parse().unwrap_or(0);
                let explicit_year = found.name("year").map(|m| m.as_str());
                return Some(Dateline {
                    place: title_case(&found["place"]),
                    country: found.name("country").map(|c| c.as_str().trim().to_string()),
                    date: month.and_then(|m| iso_date(m, day, explicit_year.or(year))),
                });
            }
            if let Some(found) = self.caps_agency.captures(paragraph) {
                let place = found["place"].trim_end_matches(',');
                if !NOT_PLACES.contains(&place) {
                    return Some(Dateline {
                        place: title_case(place),
                        country: found.name("country").map(|c| c.as_str().to_string()),
                        date: None,
                    });
                }
            }
            if let Some(found) = self.caps_only.captures(paragraph) {
                let place = &found["place"];
                // With no date, agency or separator only a known place
                // makes a dateline (`GENEVA U.S. …`, not `UFJ Holdings, …`),
                // and only a whole one (`SANTA CRUZ, …` is not `Santa`).
                let end = found.name("place").map_or(0, |m| m.end());
                let next_word = paragraph[end..].split_whitespace().next().unwrap_or("");
                let whole = !(next_word.starts_with(char::is_uppercase)
                    && next_word
                        .trim_end_matches(',')
                        .chars()
                        .all(char::is_uppercase));
                let known = gazetteer.lookup(place).is_some();
                if known
                    && (whole || found.name("country").is_some())
                    && !NOT_PLACES.contains(&place)
                    && !place.split([' ', '-']).any(|w| NOT_PLACES.contains(&w))
                {
                    return Some(Dateline {
                        place: title_case(place),
                        country: found.name("country").map(|c| c.as_str().to_string()),
                        date: None,
                    });
                }
            }
        }
        None
    }
}

/// A dateline from the grammar's parts, when they make one: a date or an
/// agency, or a place the GeoNames table knows (`LONDON - …`, `Wien – …`).
fn from_parts(
    parts: &grammar::Parts<'_>,
    year: Option<&str>,
    gazetteer: &Gazetteer,
) -> Option<Dateline> {
    let place = parts.place;
    if NOT_PLACES.contains(&place) || place.split([' ', '-']).any(|w| NOT_PLACES.contains(&w)) {
        return None;
    }
    let known = gazetteer.lookup(place).is_some();
    if parts.month.is_none() && parts.agency.is_none() && (!known || !parts.separated) {
        return None;
    }
    let date = match (parts.month, parts.day) {
        (Some(month), Some(day)) => iso_date(month, day, parts.year.or(year)),
        _ => None,
    };
    let country = parts
        .bracket
        .map(|named| match gazetteer.lookup(named) {
            Some(found) if found.kind == PlaceKind::Country => found.name.to_string(),
            _ => title_case(named),
        })
        .or_else(|| {
            parts
                .regions
                .iter()
                .find_map(|region| country_of_region(region, gazetteer))
        });
    Some(Dateline {
        place: title_case(place),
        country,
        date,
    })
}

/// The country of a region written after the city: an abbreviation
/// (`Calif.`), or a region or country the place table knows.
fn country_of_region(region: &str, gazetteer: &Gazetteer) -> Option<String> {
    let bare = region.trim_end_matches('.');
    let code = REGIONS
        .iter()
        .find(|(abbreviation, _)| {
            abbreviation.eq_ignore_ascii_case(region)
                || abbreviation
                    .trim_end_matches('.')
                    .eq_ignore_ascii_case(bare)
        })
        .map(|(_, code)| *code)
        .or_else(|| {
            gazetteer
                .lookup(region)
                .filter(|found| found.kind != PlaceKind::City)
                .map(|found| found.country)
        })?;
    gazetteer
        .country(code)
        .map(|country| country.name.to_string())
}

/// The country of the dateline's place in the place table: the place itself
/// when it is a country (`SINGAPORE`), else the country it lies in.
fn country_from_place(place: &str, gazetteer: &Gazetteer) -> Option<String> {
    let found = gazetteer.lookup(place)?;
    if found.kind == PlaceKind::Country {
        return Some(found.name.to_string());
    }
    gazetteer
        .country(found.country)
        .map(|country| country.name.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str, published: Option<&str>) -> Option<Dateline> {
        DatelineFinder::new().find(&[text.to_string()], published)
    }

    #[test]
    fn place_country_date_agency() {
        let d = find(
            "Sochi (Russia), May 15 (AFP) The United States and Russia",
            Some("2019-05-16"),
        )
        .unwrap();
        assert_eq!(d.place, "Sochi");
        assert_eq!(d.country.as_deref(), Some("Russia"));
        assert_eq!(d.date.as_deref(), Some("2019-05-15"));
        assert_eq!(
            find("Sochi (Russia), May 15 (AFP) x", None)
                .unwrap()
                .date
                .as_deref(),
            Some("--05-15")
        );
    }

    #[test]
    fn a_place_longer_than_a_name_is_no_dateline() {
        let finder = DatelineFinder::new();
        let long = "Abcdefghij Abcdefghij Abcdefghij Abcdefghij Abc, May 15 (AFP) Text";
        let found = finder.place_date.captures(long).unwrap();
        assert!(!within_name_length(&found));
        let short = "Sochi (Russia), May 15 (AFP) Text";
        assert!(within_name_length(
            &finder.place_date.captures(short).unwrap()
        ));
    }

    #[test]
    fn caps_with_agency_and_caps_alone() {
        assert_eq!(
            find("LONDON (Reuters) - Britain said", None).unwrap().place,
            "London"
        );
        assert_eq!(
            find("NEW YORK (AP) — Stocks fell", None).unwrap().place,
            "New York"
        );
        assert_eq!(
            find("GENEVA U.S. Secretary of State John Kerry", None)
                .unwrap()
                .place,
            "Geneva"
        );
        assert!(find("NATO said on Monday", None).is_none());
        assert!(find("BREAKING - Shares fell", None).is_none());
        assert!(find("The UN envoy for Syria", None).is_none());
    }

    #[test]
    fn wire_datelines_with_regions_fill_the_country() {
        let d = find(
            "SANTA CRUZ, Calif., Feb 26 - Plantronics Inc said",
            Some("1987-02-26"),
        )
        .unwrap();
        assert_eq!(d.place, "Santa Cruz");
        assert_eq!(d.country.as_deref(), Some("United States"));
        assert_eq!(d.date.as_deref(), Some("1987-02-26"));
        let d = find("PORTLAND, Ore., Feb 26 - x", None).unwrap();
        assert_eq!(
            (d.place.as_str(), d.date.as_deref()),
            ("Portland", Some("--02-26"))
        );
        assert_eq!(d.country.as_deref(), Some("United States"));
        let d = find("CHARLOTTETOWN, Prince Edward Island, March 3 - x", None).unwrap();
        assert_eq!(d.country.as_deref(), Some("Canada"));
        let d = find("GENEVA, Feb 26 - x", None).unwrap();
        assert_eq!(d.country.as_deref(), Some("Switzerland"));
        let d = find("Wien – Die Regierung hat am Montag", None).unwrap();
        assert_eq!(
            (d.place.as_str(), d.country.as_deref()),
            ("Wien", Some("Austria"))
        );
    }

    #[test]
    fn a_later_paragraph_can_hold_the_dateline() {
        let paragraphs = [
            "Die Regierung plant eine Reform.".to_string(),
            "Wien – Die Regierung hat am Montag".to_string(),
        ];
        let d = DatelineFinder::new().find(&paragraphs, None).unwrap();
        assert_eq!(d.place, "Wien");
    }
}
