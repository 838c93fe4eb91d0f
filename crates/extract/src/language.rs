//! Language detection (whatlang), reported as ISO 639-1.

use std::collections::HashMap;
use std::sync::LazyLock;

use wirehose_text::lists::pairs;

/// ISO 639-3 code → ISO 639-1 code, for the languages that have one.
static ISO_639_1: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    pairs(include_str!("../data/languages.tsv"))
        .into_iter()
        .collect()
});

/// Returns the ISO 639-1 code of `text`'s language when detection is reliable
/// (or, for texts of at least 200 characters, when confidence is ≥ 0.5).
pub fn detect(text: &str) -> Option<String> {
    let sample_end = text
        .char_indices()
        .nth(4000)
        .map_or(text.len(), |(byte, _)| byte);
    let info = whatlang::detect(&text[..sample_end])?;
    let confident = info.is_reliable() || (sample_end >= 200 && info.confidence() >= 0.5);
    if !confident {
        return None;
    }
    let code = info.lang().code();
    let code = ISO_639_1.get(code).copied().unwrap_or(code);
    Some(code.to_string())
}

#[cfg(test)]
mod tests {
    #[test]
    fn english_and_french() {
        assert_eq!(
            super::detect("The United States and Russia have agreed on ways to break a deadlock in finding a political solution in war-ravaged Syria.").as_deref(),
            Some("en")
        );
        assert_eq!(
            super::detect("Le président français a déclaré mardi que les négociations avec la Russie étaient très productives et qu'elles continueraient la semaine prochaine.").as_deref(),
            Some("fr")
        );
    }
}
