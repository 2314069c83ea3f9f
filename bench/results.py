#!/usr/bin/env python3
"""Replaces one `## ` section of bench/RESULTS.md (or appends it), leaving the others as they are.

    results.py SECTION.md [--results bench/RESULTS.md]   # SECTION.md starts with its "## Heading" line
"""
import argparse
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def replace_section(path, heading, body):
    """Puts `body` under the `## heading` line of `path`, up to the next `## ` heading."""
    heading_line = f"## {heading}"
    lines = Path(path).read_text(encoding="utf-8").split("\n")
    start = next((i for i, line in enumerate(lines) if line.strip() == heading_line), None)
    if start is None:
        text = "\n".join(lines).rstrip("\n") + "\n\n" + heading_line + "\n\n" + body
    else:
        end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        rest = "\n".join(lines[end:])
        text = "\n".join(lines[:start + 1]) + "\n\n" + body.rstrip("\n") + "\n" + ("\n" + rest if rest else "")
    Path(path).write_text(text, encoding="utf-8")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("section")
    parser.add_argument("--results", default=str(RESULTS))
    args = parser.parse_args()
    first, _, body = Path(args.section).read_text(encoding="utf-8").partition("\n")
    if not first.startswith("## "):
        parser.error(f"{args.section} must start with a '## Heading' line")
    replace_section(args.results, first[3:].strip(), body.lstrip("\n"))
    print(f"updated {args.results}: ## {first[3:].strip()}")


if __name__ == "__main__":
    main()
