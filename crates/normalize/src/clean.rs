//! Character-level cleanup and paragraph splitting.

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// Returns `text` in NFC with `\n` line endings, invisible characters removed,
/// runs of spaces collapsed and every line trimmed.
pub(crate) fn clean_text(text: &str) -> String {
    let nfc: String = match is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text.to_string(),
        _ => text.nfc().collect(),
    };
    let mut out = String::with_capacity(nfc.len());
    let mut line = String::new();
    let mut chars = nfc.chars().peekable();
    let flush = |line: &mut String, out: &mut String| {
        out.push_str(line.trim());
        out.push('\n');
        line.clear();
    };
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                flush(&mut line, &mut out);
            }
            '\n' | '\u{2028}' | '\u{2029}' | '\u{0B}' | '\u{0C}' | '\u{85}' => {
                flush(&mut line, &mut out)
            }
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {}
            c if c.is_whitespace() => {
                if !line.is_empty() && !line.ends_with(' ') {
                    line.push(' ');
                }
            }
            c if c.is_control() => {}
            c => line.push(c),
        }
    }
    if !line.is_empty() {
        flush(&mut line, &mut out);
    }
    out
}

/// Splits cleaned text into paragraphs: blocks separated by blank lines (the
/// lines of a block joined by a space), or single lines when the text has no
/// blank line at all.
pub(crate) fn paragraphs(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let non_empty = lines.iter().filter(|l| !l.is_empty()).count();
    let has_blank = lines
        .iter()
        .skip_while(|l| l.is_empty())
        .any(|l| l.is_empty())
        && non_empty > 1;
    if !has_blank {
        return lines
            .into_iter()
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
    }
    let mut out = Vec::new();
    let mut current = String::new();
    for line in lines {
        if line.is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_whitespace_and_invisibles() {
        assert_eq!(
            clean_text("  a\u{00A0}\u{00A0}b\u{200B}c \r\nd\re\t\tf "),
            "a bc\nd\ne f\n"
        );
        // NFC: e + combining acute becomes é.
        assert_eq!(clean_text("e\u{0301}"), "é\n");
    }

    #[test]
    fn blank_line_blocks_or_lines() {
        assert_eq!(paragraphs("a\nb\n\nc\n"), vec!["a b", "c"]);
        assert_eq!(paragraphs("a\nb\nc\n"), vec!["a", "b", "c"]);
        assert_eq!(paragraphs("\n\na\nb\n"), vec!["a", "b"]);
    }
}
