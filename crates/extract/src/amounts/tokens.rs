//! The body as a stream of numbers, words and symbols.

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Kind {
    /// Digits with `,` thousands separators and a `.` decimal part.
    Num,
    /// Letters, with `'` or `’` inside.
    Word,
    /// Any other single character.
    Sym,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Tok {
    pub(super) start: usize,
    pub(super) end: usize,
    pub(super) kind: Kind,
    /// White space before the token.
    pub(super) space: bool,
    /// A line break before the token (or the start of the text).
    pub(super) line: bool,
}

/// Splits `body` into tokens. With `decimal_comma` (German, French, …)
/// numbers group thousands with `.` and write decimals with `,` (`1.986`,
/// `2,1`); otherwise the other way round. An apostrophe before exactly three
/// digits groups thousands in either (`51'000`, Swiss style).
pub(super) fn tokenize(body: &str, decimal_comma: bool) -> Vec<Tok> {
    let (group, decimal) = if decimal_comma {
        (b'.', b',')
    } else {
        (b',', b'.')
    };
    let bytes = body.as_bytes();
    let mut toks = Vec::with_capacity(body.len() / 5);
    let mut space = true;
    let mut line = true;
    let mut chars = body.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        if c.is_whitespace() {
            space = true;
            line |= c == '\n';
            continue;
        }
        let mut end = start + c.len_utf8();
        let kind = if c.is_ascii_digit() {
            let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
            while digit(end) {
                end += 1;
            }
            // Thousands groups: exactly three digits after each separator.
            loop {
                let separator = match bytes.get(end) {
                    Some(&b) if b == group || b == b'\'' => 1,
                    // `’`, the typographic apostrophe.
                    Some(0xE2) if body[end..].starts_with('’') => '’'.len_utf8(),
                    _ => break,
                };
                if (1..=3).all(|k| digit(end + separator + k - 1)) && !digit(end + separator + 3) {
                    end += separator + 3;
                } else {
                    break;
                }
            }
            if bytes.get(end) == Some(&decimal) && digit(end + 1) {
                end += 1;
                while digit(end) {
                    end += 1;
                }
            }
            Kind::Num
        } else if c.is_alphabetic() {
            loop {
                let rest = &body[end..];
                let mut next = rest.chars();
                match (next.next(), next.next()) {
                    (Some(a), _) if a.is_alphabetic() => end += a.len_utf8(),
                    (Some(q @ ('\'' | '’')), Some(b)) if b.is_alphabetic() => {
                        end += q.len_utf8() + b.len_utf8()
                    }
                    _ => break,
                }
            }
            Kind::Word
        } else {
            Kind::Sym
        };
        while chars.peek().is_some_and(|(i, _)| *i < end) {
            chars.next();
        }
        toks.push(Tok {
            start,
            end,
            kind,
            space,
            line,
        });
        space = false;
        line = false;
    }
    toks
}

/// The tokens of one body with the text they point into.
pub(super) struct Stream<'a> {
    pub(super) body: &'a str,
    pub(super) toks: Vec<Tok>,
    /// Decimals after a comma, thousands grouped with a full stop.
    pub(super) decimal_comma: bool,
    /// The article is English (or of unknown language): English number
    /// words (`three`, `a`, `half`) start amounts and the counted noun is
    /// read with English rules. Otherwise only figures with a sign, `%`, a
    /// scale word or a currency word after them are amounts.
    pub(super) english: bool,
}

impl<'a> Stream<'a> {
    pub(super) fn text(&self, i: usize) -> &'a str {
        self.toks.get(i).map_or("", |t| &self.body[t.start..t.end])
    }

    pub(super) fn kind(&self, i: usize) -> Option<Kind> {
        self.toks.get(i).map(|t| t.kind)
    }

    /// Token `i` continues the phrase of token `i - 1`: it exists and no
    /// line break comes between.
    pub(super) fn joined(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.line)
    }

    /// Token `i` follows token `i - 1` with no space between.
    pub(super) fn tight(&self, i: usize) -> bool {
        self.toks.get(i).is_some_and(|t| !t.space)
    }

    pub(super) fn word(&self, i: usize) -> Option<&'a str> {
        (self.kind(i) == Some(Kind::Word) && self.joined(i)).then(|| self.text(i))
    }

    pub(super) fn is_word(&self, i: usize, word: &str) -> bool {
        self.word(i).is_some_and(|w| w.eq_ignore_ascii_case(word))
    }

    pub(super) fn is_sym(&self, i: usize, sym: &str) -> bool {
        self.kind(i) == Some(Kind::Sym) && self.joined(i) && self.text(i) == sym
    }

    /// Whether token `i` opens a sentence.
    pub(super) fn opens_sentence(&self, i: usize) -> bool {
        if i == 0 || self.toks[i].line {
            return true;
        }
        let before = self.text(i - 1);
        self.kind(i - 1) == Some(Kind::Sym) && ".!?\"“”‘’'(:;—–-".contains(before)
    }
}
