//! Byte-to-code-point offset conversion.

/// Maps byte offsets of a string to code-point offsets.
pub struct CharIndex {
    /// Byte offset of each non-ASCII character, in order; empty for ASCII text.
    wide: Vec<(usize, usize)>,
}

impl CharIndex {
    /// Indexes `text`.
    pub fn new(text: &str) -> CharIndex {
        let mut wide = Vec::new();
        if !text.is_ascii() {
            let mut extra = 0;
            for (byte, c) in text.char_indices() {
                let width = c.len_utf8();
                if width > 1 {
                    extra += width - 1;
                    wide.push((byte + width, extra));
                }
            }
        }
        CharIndex { wide }
    }

    /// Returns the code-point offset of byte offset `byte` (a char boundary).
    pub fn chars(&self, byte: usize) -> usize {
        let at = self.wide.partition_point(|(end, _)| *end <= byte);
        if at == 0 {
            byte
        } else {
            byte - self.wide[at - 1].1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn converts_offsets() {
        let text = "a“b”c";
        let index = CharIndex::new(text);
        for (chars, (byte, _)) in text.char_indices().enumerate() {
            assert_eq!(index.chars(byte), chars);
        }
        assert_eq!(index.chars(text.len()), 5);
    }
}
