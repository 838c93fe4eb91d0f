//! Quotation marks and the quoted spans they pair into.

/// Direction a quotation mark can take.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Dir {
    Open,
    Close,
    /// A straight mark: opens before a word, closes after one.
    Either,
}

#[derive(Clone, Copy, Debug)]
pub(super) struct Mark {
    pub(super) at: usize,
    pub(super) len: usize,
    pub(super) dir: Dir,
    pub(super) curly: bool,
}

/// One quoted span, byte offsets into the body.
#[derive(Debug, Clone)]
pub(super) struct Span {
    /// Byte offset of the opening mark.
    pub(super) open: usize,
    /// First byte after the opening mark.
    pub(super) inner: usize,
    /// Byte offset of the closing mark (or the paragraph end).
    pub(super) close: usize,
    /// First byte after the closing mark.
    pub(super) after: usize,
    /// Start and end of the paragraph.
    pub(super) para: (usize, usize),
    /// Paragraph number.
    pub(super) para_no: usize,
    /// Spans of one multi-paragraph quote share this number.
    pub(super) chain: usize,
}

/// Scans one paragraph's quotation marks.
pub(super) fn marks(body: &str, from: usize, to: usize) -> Vec<Mark> {
    let text = &body[from..to];
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut iter = text.char_indices().peekable();
    while let Some((at, c)) = iter.next() {
        let (len, curly, shape) = match c {
            '“' | '„' => (c.len_utf8(), true, Dir::Open),
            '”' => (c.len_utf8(), true, Dir::Close),
            '"' => (1, false, Dir::Either),
            '\'' if bytes.get(at + 1) == Some(&b'\'') => {
                iter.next();
                (2, false, Dir::Either)
            }
            _ => continue,
        };
        let prev = text[..at].chars().next_back();
        let next = text[at + len..].chars().next();
        let after_mark = &text[at + len..];
        let before_word = next.is_some_and(|n| {
            !n.is_whitespace()
                && !",;:!?)]}".contains(n)
                && (n != '.' || after_mark.starts_with(".."))
        });
        let after_word = prev.is_some_and(|p| p.is_alphanumeric() || ".,!?;:)]}%’'…*".contains(p));
        // What the mark looks like from its neighbours, whatever its shape.
        let looks = if before_word && !after_word {
            Dir::Open
        } else if after_word && !before_word {
            Dir::Close
        } else {
            Dir::Either
        };
        let dir = match (shape, looks) {
            (Dir::Either, looks) => looks,
            // `“` after a word and before a space is a misprinted closing mark.
            (Dir::Open, Dir::Close) => Dir::Either,
            (Dir::Close, Dir::Open) => Dir::Either,
            (shape, _) => shape,
        };
        out.push(Mark {
            at: from + at,
            len,
            dir,
            curly,
        });
    }
    out
}

/// Pairs the marks of one paragraph. Returns closed spans and, when a quote is
/// left open at the end, its opening mark.
pub(super) fn pair(marks: &[Mark]) -> (Vec<(Mark, Mark)>, Option<Mark>) {
    let mut spans = Vec::new();
    let mut open: Option<Mark> = None;
    let mut nested = 0usize;
    for &mark in marks {
        match open {
            None => {
                if mark.dir != Dir::Close {
                    open = Some(mark);
                    nested = 0;
                }
            }
            Some(start) => {
                let same_style = mark.curly == start.curly && mark.len == start.len;
                if mark.dir == Dir::Open && (mark.curly || same_style) && mark.curly == start.curly
                {
                    // A quotation inside the quotation, with the same marks.
                    if mark.curly {
                        nested += 1;
                    }
                    continue;
                }
                if nested > 0 && mark.curly && mark.dir != Dir::Open {
                    nested -= 1;
                    continue;
                }
                if mark.dir == Dir::Open {
                    // A different style opening inside: a nested quotation.
                    continue;
                }
                spans.push((start, mark));
                open = None;
            }
        }
    }
    (spans, open)
}

/// Finds the quoted spans of `body`, paragraph by paragraph.
pub(super) fn spans(body: &str) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    let mut para_no = 0;
    let mut chain = 0;
    // The chain of a quote left open at the end of the previous paragraph.
    let mut carried: Option<usize> = None;
    let mut from = 0;
    while from <= body.len() {
        let to = body[from..].find('\n').map_or(body.len(), |n| from + n);
        if body[from..to].trim().is_empty() {
            from = to + 1;
            continue;
        }
        let para = (from, to);
        let found = marks(body, from, to);
        let (pairs, open) = pair(&found);
        let first_opens = found
            .first()
            .is_some_and(|m| m.dir != Dir::Close && body[from..m.at].trim().is_empty());
        let mut continued = carried.take();
        if !first_opens {
            continued = None;
        }
        for (start, end) in pairs {
            let this_chain = if let Some(c) = continued.take() {
                c
            } else {
                chain += 1;
                chain
            };
            out.push(Span {
                open: start.at,
                inner: start.at + start.len,
                close: end.at,
                after: end.at + end.len,
                para,
                para_no,
                chain: this_chain,
            });
        }
        if let Some(start) = open {
            let this_chain = if let Some(c) = continued.take() {
                c
            } else {
                chain += 1;
                chain
            };
            let end = from + body[from..to].trim_end().len();
            out.push(Span {
                open: start.at,
                inner: start.at + start.len,
                close: end,
                after: end,
                para,
                para_no,
                chain: this_chain,
            });
            carried = Some(this_chain);
        }
        para_no += 1;
        from = to + 1;
    }
    out
}
