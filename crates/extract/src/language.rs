//! Language detection (whatlang), reported as ISO 639-1.

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
    let code = match info.lang().code() {
        "eng" => "en",
        "fra" => "fr",
        "deu" => "de",
        "spa" => "es",
        "ita" => "it",
        "por" => "pt",
        "rus" => "ru",
        "ukr" => "uk",
        "nld" => "nl",
        "pol" => "pl",
        "tur" => "tr",
        "ara" => "ar",
        "pes" => "fa",
        "heb" => "he",
        "hin" => "hi",
        "ben" => "bn",
        "urd" => "ur",
        "cmn" => "zh",
        "jpn" => "ja",
        "kor" => "ko",
        "vie" => "vi",
        "ind" => "id",
        "swe" => "sv",
        "dan" => "da",
        "nob" => "no",
        "fin" => "fi",
        "ces" => "cs",
        "slk" => "sk",
        "hun" => "hu",
        "ron" => "ro",
        "bul" => "bg",
        "srp" => "sr",
        "hrv" => "hr",
        "slv" => "sl",
        "ell" => "el",
        "lit" => "lt",
        "lav" => "lv",
        "est" => "et",
        "tha" => "th",
        "kat" => "ka",
        "hye" => "hy",
        "aze" => "az",
        "bel" => "be",
        "cat" => "ca",
        "afr" => "af",
        "zul" => "zu",
        "tgl" => "tl",
        "tam" => "ta",
        "tel" => "te",
        "mar" => "mr",
        "guj" => "gu",
        "pan" => "pa",
        "kan" => "kn",
        "mal" => "ml",
        "amh" => "am",
        "epo" => "eo",
        "lat" => "la",
        "mkd" => "mk",
        "uzb" => "uz",
        "jav" => "jv",
        "nep" => "ne",
        "sin" => "si",
        "khm" => "km",
        "mya" => "my",
        "aka" => "ak",
        "sna" => "sn",
        "yid" => "yi",
        "tuk" => "tk",
        "ori" => "or",
        "cym" => "cy",
        "gle" => "ga",
        other => other,
    };
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
