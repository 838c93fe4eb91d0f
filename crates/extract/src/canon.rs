//! Canonical names: one name per real-world entity, across articles.
//!
//! - an alias table maps spellings and aliases to a canonical name (`U.S.`,
//!   `USA`, `America` → `United States`; `ISIS`, `ISIL`, `Daesh` → `Islamic
//!   State`). The built-in table ([`BUILTIN`]) is extended or overridden by the
//!   component's `aliases` config (canonical name → list of aliases);
//! - country names and their GeoNames aliases map to the country's name
//!   (`Russian Federation` → `Russia`);
//! - transliteration variants of Russian and other first names map to one
//!   spelling (`Sergei Lavrov` → `Sergey Lavrov`).
//!
//! Within an article, [`crate::entities`] also resolves a surname alone to
//! the full name used elsewhere in the article.

use std::collections::HashMap;
use std::sync::LazyLock;

use wirehose_ner::geo::{Gazetteer, PlaceKind};

use wirehose_text::lists::pairs;

/// The built-in alias table: canonical name, then its aliases.
pub static BUILTIN: LazyLock<Vec<(&'static str, Vec<&'static str>)>> =
    LazyLock::new(|| grouped(pairs(include_str!("../data/canon/aliases.tsv"))));

/// The type of the built-in canonical names that are not places.
static BUILTIN_TYPES: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../data/canon/types.tsv")));

/// People the news names by surname alone, with their full names: a lone
/// surname resolves to the full name when the article itself gives none.
static SURNAMES: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../data/canon/surnames.tsv")));

/// Spelling variants of first names, mapped to one form.
static FIRST_NAMES: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../data/canon/first_names.tsv")));

/// Groups the rows of a two-column table by their first column, keeping the
/// file's order: `(canonical, [alias, …])`.
fn grouped(rows: Vec<(&'static str, &'static str)>) -> Vec<(&'static str, Vec<&'static str>)> {
    let mut groups: Vec<(&'static str, Vec<&'static str>)> = Vec::new();
    for (key, value) in rows {
        match groups.last_mut() {
            Some((last, values)) if *last == key => values.push(value),
            _ => groups.push((key, vec![value])),
        }
    }
    groups
}

/// The alias table of one extract component.
#[derive(Debug, Clone)]
pub struct Aliases {
    /// Lower-cased alias → canonical name.
    names: HashMap<String, String>,
    /// Canonical name → its type, where the table knows it.
    types: HashMap<String, &'static str>,
    first_names: HashMap<&'static str, &'static str>,
    surnames: HashMap<&'static str, &'static str>,
}

impl Default for Aliases {
    fn default() -> Self {
        Aliases::new(&HashMap::new())
    }
}

impl Aliases {
    /// The built-in table extended by `extra` (canonical → aliases); an
    /// alias in `extra` overrides a built-in one.
    pub fn new(extra: &HashMap<String, Vec<String>>) -> Aliases {
        let mut names = HashMap::new();
        for (canonical, aliases) in BUILTIN.iter() {
            names.insert(canonical.to_lowercase(), canonical.to_string());
            for alias in aliases {
                names.insert(alias.to_lowercase(), canonical.to_string());
            }
        }
        for (canonical, aliases) in extra {
            names.insert(canonical.to_lowercase(), canonical.clone());
            for alias in aliases {
                names.insert(alias.to_lowercase(), canonical.clone());
            }
        }
        let mut first_names = HashMap::new();
        for (canonical, variant) in FIRST_NAMES.iter() {
            first_names.insert(*variant, *canonical);
        }
        let mut types = HashMap::new();
        for (canonical, kind) in BUILTIN_TYPES.iter() {
            types.insert(canonical.to_string(), *kind);
        }
        Aliases {
            names,
            types,
            first_names,
            surnames: SURNAMES.iter().copied().collect(),
        }
    }

    /// The full name of a well-known person named by surname alone
    /// (`Obama` → `Barack Obama`).
    pub fn person_for_surname(&self, surname: &str) -> Option<&'static str> {
        self.surnames.get(surname).copied()
    }

    /// The type the alias table gives a canonical name (`Islamic State` is
    /// an ORG whatever a tagger thought), or, for a country, `LOC`.
    pub fn kind_of(&self, canonical: &str) -> Option<&'static str> {
        if let Some(kind) = self.types.get(canonical) {
            return Some(kind);
        }
        let place = Gazetteer::builtin().lookup(canonical)?;
        (place.kind == PlaceKind::Country && place.name == canonical).then_some("LOC")
    }

    /// The canonical name of a mention of type `kind` written `surface`.
    pub fn canonical(&self, surface: &str, kind: &str) -> String {
        let surface = surface.trim();
        let lower = surface.to_lowercase();
        if let Some(canonical) = self.names.get(&lower) {
            return canonical.clone();
        }
        if matches!(kind, "LOC" | "ORG" | "MISC")
            && let Some(place) = Gazetteer::builtin().lookup_lowercase(&lower)
            && (place.kind == PlaceKind::Country
                || (kind == "LOC"
                    && (place.kind == PlaceKind::Region || place.population >= 500_000)))
        {
            return place.name.to_string();
        }
        if kind == "PER"
            && let Some((first, rest)) = surface.split_once(' ')
            && let Some(canonical) = self.first_names.get(first)
        {
            return format!("{canonical} {rest}");
        }
        surface.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aliases_map_to_one_name() {
        let aliases = Aliases::default();
        for us in ["U.S.", "US", "USA", "United States", "America"] {
            assert_eq!(aliases.canonical(us, "LOC"), "United States", "{us}");
        }
        assert_eq!(aliases.canonical("Russian Federation", "LOC"), "Russia");
        for is in ["ISIS", "ISIL", "Daesh", "Islamic State"] {
            assert_eq!(aliases.canonical(is, "ORG"), "Islamic State");
        }
        assert_eq!(aliases.canonical("Sergei Lavrov", "PER"), "Sergey Lavrov");
        assert_eq!(aliases.kind_of("Islamic State"), Some("ORG"));
        assert_eq!(aliases.kind_of("Russia"), Some("LOC"));
        assert_eq!(aliases.kind_of("Mike Pompeo"), None);
        assert_eq!(aliases.canonical("Sergey Lavrov", "PER"), "Sergey Lavrov");
        assert_eq!(aliases.canonical("Dmitri Peskov", "PER"), "Dmitry Peskov");
        assert_eq!(aliases.canonical("Sochi", "LOC"), "Sochi");
        assert_eq!(aliases.canonical("Georgia Smith", "PER"), "Georgia Smith");
    }

    #[test]
    fn every_builtin_canonical_name_has_a_type() {
        for (canonical, _) in BUILTIN.iter() {
            assert!(
                BUILTIN_TYPES.iter().any(|(name, _)| name == canonical),
                "{canonical} has no row in data/canon/types.tsv"
            );
        }
    }

    #[test]
    fn config_extends_and_overrides() {
        let mut extra = HashMap::new();
        extra.insert("Daesh".to_string(), vec!["ISIS".to_string()]);
        extra.insert("Tesla".to_string(), vec!["Tesla Motors".to_string()]);
        let aliases = Aliases::new(&extra);
        assert_eq!(aliases.canonical("ISIS", "ORG"), "Daesh");
        assert_eq!(aliases.canonical("Tesla Motors", "ORG"), "Tesla");
    }
}
