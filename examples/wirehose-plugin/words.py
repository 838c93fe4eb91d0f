"""An exec stage for wirehose: counts the words of each article into
`fields.words`.

    [transforms.words]
    type = "exec"
    inputs = ["extract"]
    command = ["python3", "examples/wirehose-plugin/words.py"]
"""

from wirehose_plugin import run


def words(record):
    record["fields"]["words"] = sum(len(p.split()) for p in record["paragraphs"])


if __name__ == "__main__":
    run(words)
