"""Derives the tagger's word-frequency tables from wordfreq.

For each language with a built-in tagger, writes
`crates/ner/models/freq-LANG.tsv`: the language's most frequent words
(lower-cased, as wordfreq lists them), one per line with its Zipf frequency
in half steps (`round(2 * zipf)`; Zipf is log10 of the occurrences per
billion words, so 7 is about 3.5: three times per million words). The
tagger reads the step of each word as a feature: a capitalised word that is
common in running text is rarely a name, in German above all, where every
noun is capitalised.

wordfreq (Robyn Speer et al., https://github.com/rspeer/wordfreq) is
CC BY-SA 4.0 for its data; the tables derived from it carry that licence
(see the README's data credits). Run it in a throw-away environment:

    python3 -m venv /tmp/wfenv && /tmp/wfenv/bin/pip install wordfreq==3.1.1
    /tmp/wfenv/bin/python tools/wordfreq_tables.py --out crates/ner/models

The output depends only on the wordfreq version: the same words, in the
same order, every run.
"""

import argparse
import os

import wordfreq

LANGUAGES = ["es", "nl", "de", "fr", "fi", "ru"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", required=True, help="folder for freq-LANG.tsv")
    parser.add_argument("--top", type=int, default=50000, help="words per language")
    args = parser.parse_args()
    for language in LANGUAGES:
        path = os.path.join(args.out, f"freq-{language}.tsv")
        kept = 0
        with open(path, "w", encoding="utf-8") as out:
            out.write(
                f"# word frequencies for the {language} tagger: word TAB round(2 * zipf); "
                f"derived from wordfreq "
                "(CC BY-SA 4.0) by tools/wordfreq_tables.py\n"
            )
            for word in wordfreq.top_n_list(language, args.top, wordlist="best"):
                if "\t" in word or "\n" in word or not any(c.isalpha() for c in word):
                    continue
                step = round(2 * wordfreq.zipf_frequency(word, language, wordlist="best"))
                out.write(f"{word}\t{step}\n")
                kept += 1
        print(f"wrote {kept} words to {path}")


if __name__ == "__main__":
    main()
