//! Word lists kept in data files beside the code (`data/` of a crate): the
//! format, parsed once, and a check for a crate's tests.
//!
//! Every list is a text file embedded with `include_str!` and parsed the
//! first time it is used (callers hold the result in a `LazyLock`), so
//! editing a list needs a rebuild but no code change. The format:
//!
//! - one entry per line, white space around it ignored;
//! - blank lines and lines starting with `#` (comments) are skipped; every
//!   file opens with comments saying what the list is for and how it is used;
//! - a `.tsv` file is a table of pairs: the two columns are separated by one
//!   or more tabs.
//!
//! ```
//! use wirehose_text::lists::{pairs, words};
//! assert_eq!(words("# cue verbs\nsaid\n\nsays\n"), ["said", "says"]);
//! assert_eq!(pairs("# agencies\nAFP\t\tAFP\n"), [("AFP", "AFP")]);
//! ```

use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// Returns the entries of a word list, in file order.
pub fn words(text: &str) -> Vec<&str> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
}

/// Returns the rows of a table of pairs, in file order.
///
/// # Panics
///
/// When a row has no tab: the tables are built into the binary, and each
/// crate's tests parse all of them with [`check_data_dir`].
pub fn pairs(text: &str) -> Vec<(&str, &str)> {
    words(text)
        .into_iter()
        .map(|line| {
            let (left, right) = line
                .split_once('\t')
                .unwrap_or_else(|| panic!("a tab-separated pair: {line:?}"));
            (left.trim(), right.trim())
        })
        .collect()
}

fn data_files(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            data_files(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Checks every file under `dir` (for a crate's tests): it starts with a
/// `# ` comment, is a `.txt` list or a `.tsv` table whose rows have two
/// non-empty columns, has entries, and lists no entry twice. Returns how
/// many files it checked, or what is wrong.
pub fn check_data_dir(dir: &Path) -> Result<usize, String> {
    let mut files = Vec::new();
    data_files(dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
    for path in &files {
        let name = path.display();
        let text = std::fs::read_to_string(path).map_err(|e| format!("{name}: {e}"))?;
        if !text.starts_with("# ") {
            return Err(format!("{name}: does not start with a `# ` comment"));
        }
        let entries: Vec<String> = match path.extension().and_then(|e| e.to_str()) {
            Some("txt") => words(&text).into_iter().map(str::to_string).collect(),
            Some("tsv") => {
                let mut rows = Vec::new();
                for line in words(&text) {
                    match line.split_once('\t') {
                        Some((left, right))
                            if !left.trim().is_empty() && !right.trim().is_empty() =>
                        {
                            rows.push(format!("{}\t{}", left.trim(), right.trim()))
                        }
                        _ => {
                            return Err(format!(
                                "{name}: {line:?} is not two tab-separated columns"
                            ));
                        }
                    }
                }
                rows
            }
            _ => return Err(format!("{name}: a data file is .txt or .tsv")),
        };
        if entries.is_empty() {
            return Err(format!("{name}: has no entries"));
        }
        let mut seen = HashSet::new();
        for entry in &entries {
            if !seen.insert(entry) {
                return Err(format!("{name}: {entry:?} is listed twice"));
            }
        }
    }
    Ok(files.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format() {
        let text = "# What the list is for.\n\n  said \nsays\n# a comment\n\ntold\n";
        assert_eq!(words(text), ["said", "says", "told"]);
        assert_eq!(
            pairs("# a table\nAFP\tAFP\nAssociated Press\t\tAP\n"),
            [("AFP", "AFP"), ("Associated Press", "AP")]
        );
    }

    #[test]
    fn the_check_finds_what_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.txt"), "# list\nx\ny\n").unwrap();
        assert_eq!(check_data_dir(dir.path()), Ok(1));
        std::fs::write(dir.path().join("b.txt"), "# list\nx\nx\n").unwrap();
        assert!(
            check_data_dir(dir.path())
                .unwrap_err()
                .contains("listed twice")
        );
        std::fs::remove_file(dir.path().join("b.txt")).unwrap();
        std::fs::write(dir.path().join("c.tsv"), "# table\nx y\n").unwrap();
        assert!(
            check_data_dir(dir.path())
                .unwrap_err()
                .contains("tab-separated")
        );
    }
}
