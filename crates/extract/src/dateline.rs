//! Datelines: `Sochi (Russia), May 15 (AFP)`, `LONDON (Reuters) -`, `GENEVA U.S. …`.

use std::sync::LazyLock;

use regex::Regex;
use wirehose_core::Dateline;
use wirehose_text::calendar::month_number;

use wirehose_text::lists::words;

/// All-caps words that open sentences but are not places.
static NOT_PLACES: LazyLock<Vec<&'static str>> =
    LazyLock::new(|| words(include_str!("../data/not_places.txt")));

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

impl DatelineFinder {
    /// Compiles the patterns.
    pub fn new() -> DatelineFinder {
        let month = r"(?P<month>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?";
        DatelineFinder {
            place_date: Regex::new(&format!(
                r"^(?P<place>[A-Z][\p{{L}}.'’\- ]{{1,40}}?)\s*(?:\((?P<country>[A-Z][\p{{L}} .'’\-]{{1,40}})\))?,\s*{month}\s+(?P<day>\d{{1,2}})(?:,?\s+(?P<year>\d{{4}}))?\s*(?:\((?P<agency>[A-Za-z][A-Za-z -]{{1,30}})\))?\s*[-–—:]?\s*"
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
        for paragraph in paragraphs.iter().take(6) {
            if let Some(found) = self.place_date.captures(paragraph) {
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
                if !NOT_PLACES.contains(&place)
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
        assert!(find("The UN envoy for Syria", None).is_none());
    }
}
