//! The word lists of `data/`: their file format, parsed once.
//!
//! Every list is a text file embedded with `include_str!` and parsed the
//! first time it is used (the modules hold them in `LazyLock`s), so editing a
//! list needs a rebuild but no code change. The format:
//!
//! - one entry per line, white space around it ignored;
//! - blank lines and lines starting with `#` (comments) are skipped; every
//!   file opens with comments saying what the list is for and how it is used.

/// Returns the entries of a word list, in file order.
pub(crate) fn words(text: &'static str) -> Vec<&'static str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::path::{Path, PathBuf};

    use super::*;

    fn data_files(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                data_files(&path, out);
            } else {
                out.push(path);
            }
        }
    }

    #[test]
    fn format() {
        let text = "# What the list is for.\n\n  said \nsays\n# a comment\n\ntold\n";
        assert_eq!(words(text), ["said", "says", "told"]);
    }

    /// Every file of `data/` parses, documents itself in a leading comment,
    /// and lists no entry twice.
    #[test]
    fn every_data_file_parses_without_duplicates() {
        let mut files = Vec::new();
        data_files(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("data"),
            &mut files,
        );
        assert!(!files.is_empty());
        for path in files {
            let name = path.display();
            let text: &'static str = std::fs::read_to_string(&path).unwrap().leak();
            assert!(text.starts_with("# "), "{name}: starts with a comment");
            assert!(
                path.extension().is_some_and(|e| e == "txt"),
                "{name}: a data file is .txt"
            );
            let entries = words(text);
            assert!(!entries.is_empty(), "{name}: has entries");
            let mut seen = HashSet::new();
            for entry in entries {
                assert!(seen.insert(entry), "{name}: {entry:?} is listed twice");
            }
        }
    }
}
