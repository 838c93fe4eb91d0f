//! Character-level cleanup and paragraph splitting.

use unicode_normalization::{UnicodeNormalization, is_nfc_quick};

/// Marks a line that was indented in the source (two or more spaces or a
/// tab before its first character); [`paragraphs`] reads it and removes it.
pub(crate) const INDENT: char = '\t';

/// Returns `text` in NFC with `\n` line endings, invisible characters removed,
/// runs of spaces collapsed and every line trimmed. A line that was indented
/// starts with [`INDENT`] (white space never survives at a line's start
/// otherwise): plain-text wire copy marks its paragraphs by indentation.
pub(crate) fn clean_text(text: &str) -> String {
    let nfc: String = match is_nfc_quick(text.chars()) {
        unicode_normalization::IsNormalized::Yes => text.to_string(),
        _ => text.nfc().collect(),
    };
    let mut out = String::with_capacity(nfc.len());
    let mut line = String::new();
    // Leading white space of the current line: how much, and whether a tab.
    let mut lead = (0usize, false);
    let mut chars = nfc.chars().peekable();
    let flush = |line: &mut String, out: &mut String, lead: &mut (usize, bool)| {
        let trimmed = line.trim();
        if !trimmed.is_empty() && (lead.0 >= 2 || lead.1) {
            out.push(INDENT);
        }
        out.push_str(trimmed);
        out.push('\n');
        line.clear();
        *lead = (0, false);
    };
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                flush(&mut line, &mut out, &mut lead);
            }
            '\n' | '\u{2028}' | '\u{2029}' | '\u{0B}' | '\u{0C}' | '\u{85}' => {
                flush(&mut line, &mut out, &mut lead)
            }
            '\u{200B}' | '\u{200C}' | '\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}' => {}
            c if c.is_whitespace() => {
                if line.is_empty() {
                    lead.0 += 1;
                    lead.1 |= c == '\t';
                } else if !line.ends_with(' ') {
                    line.push(' ');
                }
            }
            c if c.is_control() => {}
            c => line.push(c),
        }
    }
    if !line.is_empty() {
        flush(&mut line, &mut out, &mut lead);
    }
    out
}

/// Splits cleaned text into paragraphs: blocks separated by blank lines (the
/// lines of a block joined by a space), or single lines when the text has no
/// blank line at all. In a block where some lines are indented and some are
/// not (hard-wrapped wire copy, earnings tables under a dateline), each
/// indented line starts a paragraph; a block indented throughout is one
/// paragraph as usual.
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
            .map(|l| l.trim_start_matches(INDENT))
            .filter(|l| !l.is_empty())
            .map(str::to_string)
            .collect();
    }
    let mut out = Vec::new();
    for block in lines.split(|l| l.is_empty()).filter(|b| !b.is_empty()) {
        let indented = block.iter().filter(|l| l.starts_with(INDENT)).count();
        let by_indent = indented > 0 && indented < block.len();
        let mut current = String::new();
        for line in block {
            if by_indent && line.starts_with(INDENT) && !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(line.trim_start_matches(INDENT));
        }
        if !current.is_empty() {
            out.push(current);
        }
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
            "\ta bc\nd\ne f\n"
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

    #[test]
    fn indentation_starts_paragraphs_in_wire_copy() {
        let wire = "HEADLINE\n\nLONDON, Feb 26 - The bank said\nit would sell.\n    It added that\nprices rose.\n";
        assert_eq!(
            paragraphs(&clean_text(wire)),
            vec![
                "HEADLINE",
                "LONDON, Feb 26 - The bank said it would sell.",
                "It added that prices rose."
            ]
        );
        let table = "LOUISVILLE, Ky., Feb 26 -\n    Shr one dlr vs 73 cts\n    Net 12.6 mln vs 15.8 mln\n Reuter\n\nx\n";
        assert_eq!(
            paragraphs(&clean_text(table)),
            vec![
                "LOUISVILLE, Ky., Feb 26 -",
                "Shr one dlr vs 73 cts",
                "Net 12.6 mln vs 15.8 mln Reuter",
                "x"
            ]
        );
        // Indented throughout: one paragraph, as without indentation.
        let quoted = "a\n\n    one line\n    and the next\n";
        assert_eq!(
            paragraphs(&clean_text(quoted)),
            vec!["a", "one line and the next"]
        );
    }
}
