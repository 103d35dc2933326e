"""`pip install -r requirements.txt | python devstack/pip_progress.py LOG`: one line per pinned
package as pip takes it up, and pip's errors; pip's whole output goes to LOG.

Run by the Makefile before anything is installed, so it uses the standard library only.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

# "Collecting X (from -r requirements.txt (line 3))", or "(from uvicorn[standard]==…->-r requirements.txt (line 3))"
PINNED = re.compile(r"^(?:Collecting|Processing) .*-r requirements\.txt \(line (\d+)\)\)$")


def main() -> None:
    requirements = Path("requirements.txt").read_text(encoding="utf-8").splitlines()
    total = sum(1 for line in requirements if line.strip() and not line.lstrip().startswith("#"))
    taken: set[int] = set()
    with open(sys.argv[1], "w", encoding="utf-8") as log:
        for line in sys.stdin:
            log.write(line)
            if (match := PINNED.match(line.rstrip())) and int(match[1]) not in taken:
                taken.add(int(match[1]))
                print(f"  [{len(taken):>2}/{total}] {requirements[int(match[1]) - 1].strip()}", flush=True)
            elif line.startswith("Installing collected packages"):
                print("  installing them and their dependencies…", flush=True)
            elif line.startswith("ERROR"):
                print(line, end="", flush=True)


if __name__ == "__main__":
    main()
