//! The place gazetteer: names of countries, first-level regions and cities
//! with their GeoNames id, country and coordinates.
//!
//! The table is compiled from the GeoNames dump (`cities15000.txt`,
//! `countryInfo.txt`, `admin1CodesASCII.txt`; GeoNames, geonames.org, CC BY
//! 4.0) by [`compile`] (`wirehose train gazetteer`) into
//! `crates/ner/models/places.tsv`, a derived table of facts that ships in
//! the binary ([`Gazetteer::builtin`]). One line per place:
//!
//! ```text
//! geonames_id  kind  country  lat  lon  population  name  alias|alias|…
//! ```
//!
//! `kind` is `C` (country), `A` (first-level region) or `P` (populated place).
//! A country's coordinates are its capital's; a region's are those of its most
//! populous city in the table.
//!
//! A name is looked up case-insensitively; when several places share it,
//! countries win over regions, regions over cities, and a bigger city over a
//! smaller one (`Paris` is the French capital, `Georgia` the country).
//!
//! ```
//! let gazetteer = wirehose_ner::geo::Gazetteer::builtin();
//! let sochi = gazetteer.lookup("Sochi").unwrap();
//! assert_eq!(sochi.country, "RU");
//! assert_eq!(gazetteer.lookup("Russian Federation").unwrap().name, "Russia");
//! ```

use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use wirehose_text::hash::hash64;

use crate::NerError;
use wirehose_text::lists::pairs;

/// The compiled table shipped with wirehose (the build script lays it out;
/// tests compare with it).
#[cfg(test)]
const BUILTIN: &str = include_str!("../models/places.tsv");

/// What kind of place an entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum PlaceKind {
    /// A country (or dependent territory) of `countryInfo.txt`.
    Country,
    /// A first-level administrative region (state, province, oblast).
    Region,
    /// A city or town of `cities15000.txt`.
    City,
}

/// One place of the gazetteer, read from its table.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Place<'a> {
    /// GeoNames id.
    pub geonames_id: u64,
    /// Country, region or city.
    pub kind: PlaceKind,
    /// ISO 3166-1 alpha-2 code of the country the place is in.
    pub country: &'a str,
    /// Latitude, decimal degrees.
    pub lat: f64,
    /// Longitude, decimal degrees.
    pub lon: f64,
    /// Population (0 when unknown).
    pub population: u64,
    /// The preferred English name (`Russia`, `Sochi`).
    pub name: &'a str,
}

/// A name → place index, as bytes (see `tables.rs`): the built-in one is
/// laid out by the build script from `models/places.tsv` and read in place
/// (nothing parsed at start, no heap copy).
#[derive(Debug)]
pub struct Gazetteer {
    /// The places ([`crate::tables::place_records`]).
    places: Cow<'static, [u8]>,
    /// Hash ([`hash64`]) of the lower-cased name → index of the preferred
    /// place.
    names: Cow<'static, [u8]>,
    /// Hash of a country code → index of the country.
    countries: Cow<'static, [u8]>,
    /// Longest name, in words.
    max_words: usize,
}

static BUILTIN_GAZETTEER: Gazetteer = Gazetteer {
    places: Cow::Borrowed(include_bytes!(concat!(env!("OUT_DIR"), "/places.records"))),
    names: Cow::Borrowed(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/place_names.table"
    ))),
    countries: Cow::Borrowed(include_bytes!(concat!(
        env!("OUT_DIR"),
        "/place_countries.table"
    ))),
    max_words: include!(concat!(env!("OUT_DIR"), "/place_max_words")),
};

impl Gazetteer {
    /// The gazetteer compiled into the binary.
    pub fn builtin() -> &'static Gazetteer {
        &BUILTIN_GAZETTEER
    }

    /// Parses the compiled table format (see the module docs).
    pub fn parse(text: &str) -> Result<Gazetteer, NerError> {
        let bad = |(line, message): crate::tables::LineError| {
            NerError::format("places.tsv", line, message)
        };
        let (names, max_words) = crate::tables::place_names(text).map_err(bad)?;
        let (places, countries) = crate::tables::place_records(text).map_err(bad)?;
        Ok(Gazetteer {
            places: Cow::Owned(places),
            names: Cow::Owned(crate::tables::build(&names, 4)),
            countries: Cow::Owned(crate::tables::build(&countries, 4)),
            max_words,
        })
    }

    /// Place `index` of the table.
    fn place(&self, index: u64) -> Option<Place<'_>> {
        let index = usize::try_from(index).ok()?;
        if index >= self.len() {
            return None;
        }
        let (geonames_id, kind, country, lat, lon, population, name) =
            crate::tables::place_at(&self.places, index);
        let kind = match kind {
            b'C' => PlaceKind::Country,
            b'A' => PlaceKind::Region,
            _ => PlaceKind::City,
        };
        Some(Place {
            geonames_id,
            kind,
            country,
            lat,
            lon,
            population,
            name,
        })
    }

    /// The preferred place called `name` (any case), if any.
    pub fn lookup(&self, name: &str) -> Option<Place<'_>> {
        self.lookup_lowercase(&name.to_lowercase())
    }

    /// The country with ISO code `code`.
    pub fn country(&self, code: &str) -> Option<Place<'_>> {
        self.place(crate::tables::get(
            &self.countries,
            hash64(code.as_bytes()),
        )?)
        .filter(|place| place.country == code && place.kind == PlaceKind::Country)
    }

    /// The preferred place called `lowercase` (already lower-cased).
    pub fn lookup_lowercase(&self, lowercase: &str) -> Option<Place<'_>> {
        self.place(crate::tables::get(
            &self.names,
            hash64(lowercase.as_bytes()),
        )?)
    }

    /// The longest name in words, for span matching.
    pub fn max_words(&self) -> usize {
        self.max_words
    }

    /// Number of places.
    pub fn len(&self) -> usize {
        crate::tables::place_count(&self.places)
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Common English names the GeoNames tables lack or spell otherwise, as
/// (ISO code, alias) pairs.
static COUNTRY_ALIASES: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../data/country_aliases.tsv")));

fn is_latin_name(name: &str) -> bool {
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_uppercase()
        && name.chars().count() >= 3
        && name.chars().any(|c| c.is_lowercase())
        && name.chars().all(|c| {
            (c.is_alphabetic() && (c.is_ascii() || ('\u{c0}'..='\u{24f}').contains(&c)))
                || matches!(c, ' ' | '-' | '\'' | '.')
        })
}

fn read(path: &Path) -> Result<String, NerError> {
    std::fs::read_to_string(path).map_err(|err| NerError::io(path, err))
}

/// Compiles the gazetteer table from a GeoNames directory holding
/// `cities15000.txt`, `countryInfo.txt` and `admin1CodesASCII.txt`.
///
/// Only Latin-script alternate names that start with a capital are kept (the
/// ones English text uses); lower-case transliterations, codes and other
/// scripts are dropped.
pub fn compile(dir: &Path) -> Result<String, NerError> {
    struct City<'a> {
        id: &'a str,
        name: &'a str,
        ascii: &'a str,
        alternates: &'a str,
        lat: &'a str,
        lon: &'a str,
        country: &'a str,
        admin1: &'a str,
        population: u64,
    }
    let cities_path = dir.join("cities15000.txt");
    let cities_text = read(&cities_path)?;
    let mut cities = Vec::new();
    for (number, line) in cities_text.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 15 {
            return Err(NerError::format(
                &cities_path,
                number + 1,
                "expected 19 tab-separated columns",
            ));
        }
        cities.push(City {
            id: f[0],
            name: f[1],
            ascii: f[2],
            alternates: f[3],
            lat: f[4],
            lon: f[5],
            country: f[8],
            admin1: f[10],
            population: f[14].parse().unwrap_or(0),
        });
    }
    let mut out = String::from(
        "# Derived from GeoNames (geonames.org), CC BY 4.0: cities15000, countryInfo, admin1CodesASCII.\n\
         # geonames_id\tkind\tcountry\tlat\tlon\tpopulation\tname\taliases\n",
    );
    let mut line = |id: &str,
                    kind: char,
                    cc: &str,
                    lat: &str,
                    lon: &str,
                    pop: u64,
                    name: &str,
                    aliases: &[String]| {
        let _ = writeln!(
            out,
            "{id}\t{kind}\t{cc}\t{lat}\t{lon}\t{pop}\t{name}\t{}",
            aliases.join("|")
        );
    };
    let countries_path = dir.join("countryInfo.txt");
    for (number, row) in read(&countries_path)?.lines().enumerate() {
        if row.starts_with('#') || row.trim().is_empty() {
            continue;
        }
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 17 {
            return Err(NerError::format(
                &countries_path,
                number + 1,
                "expected 19 tab-separated columns",
            ));
        }
        let (code, name, capital, population, id) = (f[0], f[4], f[5], f[7], f[16]);
        let capital_city = cities
            .iter()
            .filter(|city| city.country == code && (city.name == capital || city.ascii == capital))
            .max_by_key(|city| city.population)
            .or_else(|| {
                cities
                    .iter()
                    .filter(|city| city.country == code)
                    .max_by_key(|city| city.population)
            });
        let Some(capital_city) = capital_city else {
            continue;
        };
        let aliases: Vec<String> = COUNTRY_ALIASES
            .iter()
            .filter(|(cc, _)| *cc == code)
            .map(|(_, alias)| alias.to_string())
            .collect();
        line(
            id,
            'C',
            code,
            capital_city.lat,
            capital_city.lon,
            population.parse().unwrap_or(0),
            name,
            &aliases,
        );
    }
    let admin_path = dir.join("admin1CodesASCII.txt");
    for (number, row) in read(&admin_path)?.lines().enumerate() {
        let f: Vec<&str> = row.split('\t').collect();
        if f.len() < 4 {
            return Err(NerError::format(
                &admin_path,
                number + 1,
                "expected 4 tab-separated columns",
            ));
        }
        let Some((code, admin1)) = f[0].split_once('.') else {
            continue;
        };
        let biggest = cities
            .iter()
            .filter(|city| city.country == code && city.admin1 == admin1)
            .max_by_key(|city| city.population);
        let Some(biggest) = biggest else {
            continue;
        };
        let aliases: Vec<String> = if f[2] != f[1] && is_latin_name(f[2]) {
            vec![f[2].to_string()]
        } else {
            Vec::new()
        };
        line(f[3], 'A', code, biggest.lat, biggest.lon, 0, f[1], &aliases);
    }
    for city in &cities {
        let mut aliases: Vec<String> = Vec::new();
        let candidates = std::iter::once(city.ascii).chain(city.alternates.split(','));
        for alias in candidates {
            if alias != city.name && is_latin_name(alias) && !aliases.iter().any(|a| a == alias) {
                aliases.push(alias.to_string());
            }
        }
        line(
            city.id,
            'P',
            city.country,
            city.lat,
            city.lon,
            city.population,
            city.name,
            &aliases,
        );
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_prefers_countries_and_big_cities() {
        let gazetteer = Gazetteer::builtin();
        assert!(gazetteer.len() > 30_000);
        assert_eq!(gazetteer.lookup("paris").unwrap().country, "FR");
        assert_eq!(gazetteer.lookup("London").unwrap().country, "GB");
        assert_eq!(
            gazetteer.lookup("Georgia").unwrap().kind,
            PlaceKind::Country
        );
        assert_eq!(gazetteer.lookup("U.S.").unwrap().name, "United States");
        let sochi = gazetteer.lookup("Sochi").unwrap();
        assert_eq!(sochi.country, "RU");
        assert!((sochi.lat - 43.6).abs() < 0.2, "{}", sochi.lat);
        assert!(gazetteer.lookup("Xyzzyville").is_none());
    }

    #[test]
    fn the_table_laid_out_at_build_time_is_the_one_parsed_now() {
        let parsed = Gazetteer::parse(BUILTIN).unwrap();
        let builtin = Gazetteer::builtin();
        assert_eq!(parsed.len(), builtin.len());
        assert_eq!(parsed.max_words(), builtin.max_words());
        for name in ["Paris", "Georgia", "Sochi", "UAE", "New York", "Lion King"] {
            assert_eq!(parsed.lookup(name), builtin.lookup(name), "{name}");
        }
        for index in (0..parsed.len() as u64).step_by(97) {
            assert_eq!(parsed.place(index), builtin.place(index));
        }
        assert_eq!(builtin.country("RU").unwrap().name, "Russia");
        assert_eq!(builtin.country("ZZ"), None);
        assert_eq!(builtin.place(builtin.len() as u64), None);
        let bad_country = Gazetteer::parse("1\tC\tRus\t1\t2\t3\tA\t\n").unwrap_err();
        assert!(
            bad_country.to_string().contains("two-letter"),
            "{bad_country}"
        );
        let malformed = Gazetteer::parse("1\tC\tRU\t1\t2\t3\tA\t\tB\n").unwrap_err();
        assert!(
            malformed.to_string().contains("8 tab-separated"),
            "{malformed}"
        );
    }

    #[test]
    fn latin_names_only() {
        assert!(is_latin_name("Sochi"));
        assert!(is_latin_name("São Paulo"));
        assert!(!is_latin_name("sochi"));
        assert!(!is_latin_name("AER"));
        assert!(!is_latin_name("Сочи"));
    }

    #[test]
    fn malformed_table_names_the_line() {
        let err = Gazetteer::parse("1\tX\tRU\t1\t2\t3\tA\t\n").unwrap_err();
        assert!(err.to_string().contains(":1:"), "{err}");
    }
}
