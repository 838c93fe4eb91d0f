"""Tests of the plugin helper and the example; run with
`python3 -m unittest discover examples/wirehose-plugin`."""

import io
import json
import os
import subprocess
import sys
import unittest

from wirehose_plugin import Drop, Refuse, run
from words import words

HERE = os.path.dirname(os.path.abspath(__file__))


def record(paragraphs, language="en"):
    return {"id": "abc", "language": language, "paragraphs": paragraphs, "fields": {}}


def answers(handler, records):
    stdin = io.StringIO("".join(json.dumps(r) + "\n" for r in records))
    stdout = io.StringIO()
    run(handler, stdin=stdin, stdout=stdout)
    return [json.loads(line) for line in stdout.getvalue().splitlines()]


class PluginTest(unittest.TestCase):
    def test_words_counts_every_paragraph(self):
        [reply] = answers(words, [record(["One two three.", "Four five."])])
        self.assertEqual(reply["fields"]["words"], 5)
        self.assertEqual(reply["id"], "abc")

    def test_drop_refuse_and_crash_each_answer_one_line(self):
        def handler(r):
            if r["language"] == "de":
                raise Drop()
            if not r["paragraphs"]:
                raise Refuse("no text")
            if r["paragraphs"][0] == "boom":
                raise ValueError("bad value")
            print("noise")  # must not reach stdout
            return None

        replies = answers(
            handler,
            [record(["x"], "de"), record([]), record(["boom"]), record(["fine"])],
        )
        self.assertEqual(replies[0], {"drop": True})
        self.assertEqual(replies[1], {"error": "no text"})
        self.assertEqual(replies[2], {"error": "ValueError: bad value"})
        self.assertEqual(replies[3]["paragraphs"], ["fine"])

    def test_the_example_runs_as_a_program(self):
        line = json.dumps(record(["a b c"])) + "\n"
        done = subprocess.run(
            [sys.executable, os.path.join(HERE, "words.py")],
            input=line, capture_output=True, text=True, timeout=30, check=True,
        )
        self.assertEqual(json.loads(done.stdout)["fields"]["words"], 3)


if __name__ == "__main__":
    unittest.main()
