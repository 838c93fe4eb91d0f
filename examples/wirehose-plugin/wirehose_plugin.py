"""Write a wirehose `exec` stage in a few lines of Python.

wirehose starts your program once per worker and writes one record per line
(JSON) to its stdin; for each it reads one line back on its stdout: the
record (changed or not), {"drop": true}, or {"error": "reason"} to quarantine
the article. `run(handler)` does that loop for you:

    from wirehose_plugin import run, Drop, Refuse

    def handle(record):
        if not record["paragraphs"]:
            raise Refuse("no text")          # quarantined with this reason
        if record["language"] != "en":
            raise Drop()                     # consumed, not written
        record["fields"]["words"] = ...      # change the record in place
        # return nothing (or the record, or a new record for the same id)

    if __name__ == "__main__":
        run(handle)

An exception other than Drop or Refuse quarantines that one article with the
exception as the reason (the traceback goes to stderr, which wirehose logs)
and the program goes on with the next. While the handler runs, `print()`
writes to stderr, so a stray print cannot corrupt the replies on stdout.
Standard library only; Python 3.8 or later.
"""

import json
import sys
import traceback

__all__ = ["run", "Drop", "Refuse"]


class Drop(Exception):
    """Raise to drop the record: wirehose marks its input done, writes nothing."""


class Refuse(Exception):
    """Raise to quarantine the article; the message is the reason."""


def reply_for(handler, line):
    """Returns the reply (a dict) to one input line."""
    record = json.loads(line)
    try:
        result = handler(record)
    except Drop:
        return {"drop": True}
    except Refuse as refusal:
        return {"error": str(refusal) or "refused by the plugin"}
    except Exception as error:  # one bad article must not stop the plugin
        traceback.print_exc(file=sys.stderr)
        return {"error": f"{type(error).__name__}: {error}"}
    return record if result is None else result


def run(handler, stdin=None, stdout=None):
    """Answers every record on stdin with handler's verdict, until stdin closes."""
    stdin = stdin if stdin is not None else sys.stdin
    out = stdout if stdout is not None else sys.stdout
    saved = sys.stdout
    for line in stdin:
        if not line.strip():
            continue
        sys.stdout = sys.stderr  # print() inside the handler goes to the logs
        try:
            reply = reply_for(handler, line)
        finally:
            sys.stdout = saved
        out.write(json.dumps(reply, ensure_ascii=False) + "\n")
        out.flush()
