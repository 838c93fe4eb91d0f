//! Credits: what says which agency the copy comes from, as opposed to an
//! agency merely named in the story (`told Reuters`, `AP reported`).
//!
//! - a **sign-off** closing the story: `… last year. Reuter`, `REUTER`,
//!   `-- AFP`, `(AP)`;
//! - a **bracketed credit** anywhere: `(AFP)`, `(ats/nxp)`, `(APA, 1.2.2015)`,
//!   `(APA/dpa, 3.4.2016)`: every part a known code, a date or an editor's
//!   initials, at least one code or date;
//! - the **dateline's** agency: `LONDON (Reuters) -` (a bracket too).
//!
//! A credit's date (`1.2.2015`) dates the copy. Credits are not entities:
//! their byte ranges are handed to the entity finder to skip.

use std::sync::LazyLock;

use wirehose_text::lists::pairs;

/// Codes as credits write them → canonical agency names.
static CODES: LazyLock<Vec<(&'static str, &'static str)>> =
    LazyLock::new(|| pairs(include_str!("../../data/credit_codes.tsv")));

/// The credits of one article.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Credits {
    /// Canonical agency names, first credited first.
    pub agencies: Vec<String>,
    /// The date a credit gives, `YYYY-MM-DD`.
    pub date: Option<String>,
    /// Byte ranges of the credits in the body.
    pub spans: Vec<(usize, usize)>,
}

impl Credits {
    fn add(&mut self, agency: &str) {
        if !self.agencies.iter().any(|a| a == agency) {
            self.agencies.push(agency.to_string());
        }
    }
}

fn code(word: &str) -> Option<&'static str> {
    CODES
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(word))
        .map(|(_, name)| *name)
}

/// `1.2.2015`, `01.02.2015`, `2015-02-01` → `2015-02-01`.
/// Spaces after the stops are allowed (`3. 2. 2016`, `25.2. 2016`).
fn credit_date(part: &str) -> Option<String> {
    let part: String = part.split_whitespace().collect();
    let numbers: Vec<&str> = part.split(['.', '-']).collect();
    let valid = |y: u32, m: u32, d: u32| {
        (1900..=2100).contains(&y) && (1..=12).contains(&m) && (1..=31).contains(&d)
    };
    let parsed: Vec<u32> = numbers.iter().filter_map(|n| n.parse().ok()).collect();
    if parsed.len() != 3 || numbers.len() != 3 {
        return None;
    }
    let (y, m, d) = if numbers[0].len() == 4 {
        (parsed[0], parsed[1], parsed[2])
    } else if numbers[2].len() == 4 && part.contains('.') {
        (parsed[2], parsed[1], parsed[0])
    } else {
        return None;
    };
    valid(y, m, d).then(|| format!("{y:04}-{m:02}-{d:02}"))
}

/// Reads a bracket's content as a credit: its agencies and date.
fn bracket(content: &str) -> Option<(Vec<&'static str>, Option<String>)> {
    let mut agencies = Vec::new();
    let mut date = None;
    let mut initials = 0;
    for part in content.split(['/', ',', ';']).map(str::trim) {
        if part.is_empty() {
            return None;
        }
        if let Some(name) = code(part) {
            agencies.push(name);
        } else if let Some(found) = credit_date(part) {
            date = Some(found);
        } else if (2..=6).contains(&part.chars().count()) && part.chars().all(char::is_lowercase) {
            // An editor's short name: `red`, `sid`, `tasch`, `awö`.
            initials += 1;
        } else if (2..=4).contains(&part.len())
            && part.chars().all(|c| c.is_ascii_alphabetic())
            && content.contains('/')
        {
            // A partner's code beside a known one: `APA/Si`.
            initials += 1;
        } else {
            return None;
        }
    }
    let credit = !agencies.is_empty() || (date.is_some() && initials > 0);
    credit.then_some((agencies, date))
}

/// Where a bracket can be a credit: closing its paragraph (`… (AP)`,
/// `… (APA, 1.2.2015)`), or in a dateline at the start of a paragraph, after
/// capitalised words only (`Berlin (dpa) -`, `Sochi (Russia), May 15
/// (AFP)`), not inside prose (`the Associated Press (AP) said`).
fn credit_position(body: &str, open: usize, close: usize) -> bool {
    let after = body[close + 1..].trim_start_matches([' ', '\t', '.']);
    if after.is_empty() || after.starts_with('\n') {
        return true;
    }
    let line_start = body[..open].rfind('\n').map_or(0, |n| n + 1);
    let before = &body[line_start..open];
    before.len() <= 80
        && before
            .split_whitespace()
            .all(|w| !w.starts_with(|c: char| c.is_lowercase()))
}

/// The sign-off closing `body`: `Reuter`, `REUTER`, `-- AFP`, `(AP)`, with
/// its byte range.
fn sign_off(body: &str) -> Option<(&'static str, usize, usize)> {
    let trimmed = body.trim_end();
    let end = trimmed.len();
    let tail = trimmed
        .rsplit(|c: char| c.is_whitespace())
        .next()
        .unwrap_or("");
    let bare = tail.trim_matches(|c: char| matches!(c, '(' | ')' | '-' | '—' | '–' | '.'));
    let name = code(bare)?;
    let start = end - tail.len();
    // It must stand apart from the sentence before: after a sentence end,
    // on its own line, or set off by a dash or brackets.
    let before = trimmed[..start].trim_end_matches([' ', '\t']);
    // `Reuter` (the wire's own spelling) also closes tables and figures
    // (`Record April 10 Reuter`), but not a name (`Ernst Reuter`).
    let previous = before.rsplit(char::is_whitespace).next().unwrap_or("");
    let wire_spelling = (bare == "Reuter" || bare == "REUTER")
        && !(previous.starts_with(char::is_uppercase) && previous.chars().any(char::is_lowercase));
    let apart = before.is_empty()
        || wire_spelling
        || before.ends_with(['.', '!', '?', '"', '”', '\n', ')'])
        || before.ends_with(['-', '—', '–'])
        || tail.starts_with(['(', '-', '—', '–']);
    // `REUTER` or `Reuter` as written, or a short code: not a word of prose.
    let sign = bare == "Reuter" || bare == "REUTER" || bare.chars().all(|c| !c.is_lowercase());
    (apart && sign).then(|| {
        let start = before
            .strip_suffix(['-', '—', '–'])
            .map_or(start, |b| b.trim_end_matches('-').len());
        (name, start.min(end - tail.len()), end)
    })
}

/// The credits of `body`.
pub fn find(body: &str) -> Credits {
    let mut credits = Credits::default();
    let mut at = 0;
    while let Some(open) = body[at..].find('(').map(|o| at + o) {
        let Some(close) = body[open..].find(')').map(|c| open + c) else {
            break;
        };
        let content = &body[open + 1..close];
        if content.len() <= 40
            && !content.contains('(')
            && credit_position(body, open, close)
            && let Some((agencies, date)) = bracket(content)
        {
            for agency in agencies {
                credits.add(agency);
            }
            if credits.date.is_none() {
                credits.date = date;
            }
            credits.spans.push((open, close + 1));
        }
        at = open + 1;
    }
    if let Some((agency, start, end)) = sign_off(body) {
        credits.add(agency);
        if !credits.spans.iter().any(|&(s, e)| s <= start && end <= e) {
            credits.spans.push((start, end));
        }
    }
    credits
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sign_offs() {
        let c = find("Final figures are due on February 27. Reuter");
        assert_eq!(c.agencies, ["Reuters"]);
        let (s, e) = c.spans[0];
        assert_eq!(
            &"Final figures are due on February 27. Reuter"[s..e],
            "Reuter"
        );
        assert_eq!(find("The talks ended.\n\nREUTER").agencies, ["Reuters"]);
        assert_eq!(find("Record April 10 Reuter").agencies, ["Reuters"]);
        assert!(find("The mayor was Ernst Reuter").agencies.is_empty());
        assert_eq!(find("The talks ended. -- AFP").agencies, ["AFP"]);
        assert_eq!(find("The talks ended. (AP)").agencies, ["AP"]);
        // A name in the last sentence is no sign-off.
        assert!(find("The shares were sold to Reuters").agencies.is_empty());
        assert!(find("He told Reuters.").agencies.is_empty());
    }

    #[test]
    fn bracketed_credits() {
        let c = find("Die Gespräche enden am Freitag. (APA, 1.2.2015)");
        assert_eq!(
            (c.agencies.as_slice(), c.date.as_deref()),
            (&["APA".to_string()][..], Some("2015-02-01"))
        );
        assert_eq!(find("Bern hat entschieden. (ats/nxp)").agencies, ["ATS"]);
        assert_eq!(find("Berlin (dpa) - Die Regierung").agencies, ["dpa"]);
        assert_eq!(find("Text. (APA/dpa, 3.4.2016)").agencies, ["APA", "dpa"]);
        let c = find("Text. (APA/Si, 17.11.2015)");
        assert_eq!(
            (c.agencies.as_slice(), c.date.as_deref()),
            (&["APA".to_string()][..], Some("2015-11-17"))
        );
        assert_eq!(
            find("Text. (APA, 3. 2. 2016)").date.as_deref(),
            Some("2016-02-03")
        );
        assert_eq!(
            find("Text. (tasch, 8.8.2015)").date.as_deref(),
            Some("2015-08-08")
        );
        assert_eq!(
            find("Text.(awö, 19.6.2015)").date.as_deref(),
            Some("2015-06-19")
        );
        let c = find("Text. (red, 28.8.2015)");
        assert!(c.agencies.is_empty());
        assert_eq!(c.date.as_deref(), Some("2015-08-28"));
        assert!(find("Sochi (Russia), May 15").agencies.is_empty());
        assert!(find("the party (SPD) said (in 2015)").agencies.is_empty());
        assert!(find("The central bank (bank) said").agencies.is_empty());
        assert!(
            find("said Agence France-Presse (AFP) on Monday")
                .agencies
                .is_empty()
        );
        assert_eq!(
            find("Sochi (Russia), May 15 (AFP) The United States").agencies,
            ["AFP"]
        );
    }
}
