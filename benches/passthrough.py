"""A pass-through exec stage for the pipeline benchmark (`--exec`): every
record is parsed and written back unchanged, as a real Python plugin would
(through examples/wirehose-plugin/wirehose_plugin.py)."""

import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "wirehose-plugin"))

from wirehose_plugin import run  # noqa: E402

if __name__ == "__main__":
    run(lambda record: None)
