"""Broken PDF spacing repaired: planted splits rejoined, and real word pairs never joined.

    .venv/bin/python bench/spacing.py [--data ../shared/data/raw-turkish] [--chars 400000] [--share 0.03]

Each text (the first `--chars` characters of every file of the raw Turkish corpus, and the
sample leaflets of `corpora/ilac-ornek`) is one document. A share of its words of four letters
or more is split, two ways side by side: before a letter of the Turkish alphabet's own (ç ğ ı ö
ş ü, where exporters with a substituted font split: "kullan ıma", "sunulmu ştur"), and at any
inner position (harder: "zaman da" is two words either way). The repair
(`retrievers.spacing`) then sees the whole document. Every space it removes is either a
planted split (a join made right) or a space the text had (a false join). Prints a table per
text: planted, rejoined, recall, genuine spaces, false joins, with examples of both misses.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from retrievers.spacing import repair_spacing  # noqa: E402

WORD = re.compile(r"(?<!\S)([^\W\d_]{4,})(?=[\s.,;:!?)]|$)", re.UNICODE)


TURKISH_LETTERS = set("çğıöşüÇĞİÖŞÜ")
WHERE = ("before ç ğ ı ö ş ü", "anywhere")


def plant(text: str, share: float, rng: random.Random, where: str) -> tuple[str, set[int]]:
    """`text` with a share of its words split by a space; the positions of the planted spaces."""
    out, planted, last = [], set(), 0
    for match in WORD.finditer(text):
        word = match.group(1)
        cuts = (range(1, len(word)) if where == "anywhere"
                else [i for i in range(1, len(word)) if word[i] in TURKISH_LETTERS])
        if not cuts or rng.random() >= share:
            continue
        cut = rng.choice(list(cuts))
        out.append(text[last:match.start()] + word[:cut])
        planted.add(sum(len(part) for part in out))
        out.append(" " + word[cut:])
        last = match.end()
    out.append(text[last:])
    return "".join(out), planted


def removed_spaces(before: str, after: str) -> list[int]:
    """Positions in `before` of the spaces the repair removed (it only ever removes spaces)."""
    removed, j = [], 0
    for i, char in enumerate(before):
        if j < len(after) and after[j] == char:
            j += 1
        elif char == " ":
            removed.append(i)
        else:
            raise AssertionError(f"the repair changed more than spaces at {i}")
    return removed


def measure(name: str, text: str, share: float, seed: int, where: str) -> dict:
    broken, planted = plant(text, share, random.Random(seed), where)
    started = time.perf_counter()
    repaired = repair_spacing([broken])[0]
    seconds = time.perf_counter() - started
    removed = set(removed_spaces(broken, repaired))
    false = sorted(removed - planted)
    missed = sorted(planted - removed)

    def around(i: int) -> str:
        return broken[max(0, broken.rfind(" ", 0, i - 1) + 1):broken.find(" ", i + 1) % (len(broken) + 1)]

    return {"text": name, "where": where, "planted": len(planted), "rejoined": len(planted & removed),
            "genuine": broken.count(" ") - len(planted), "false": len(false), "seconds": seconds,
            "false_examples": [around(i) for i in false[:5]], "missed_examples": [around(i) for i in missed[:5]]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "raw-turkish")
    parser.add_argument("--chars", type=int, default=400_000)
    parser.add_argument("--share", type=float, default=0.03, help="share of words of 4+ letters split")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    texts = [(path.name, path.read_text(encoding="utf-8")[:args.chars]) for path in sorted(args.data.glob("*.txt"))]
    leaflet_files = sorted((ROOT / "corpora" / "ilac-ornek").glob("*.md"))
    leaflets = "\n\n".join(p.read_text(encoding="utf-8") for p in leaflet_files)
    texts.append(("corpora/ilac-ornek (*.md)", leaflets))
    rows = [(measure(name, text, args.share, args.seed, where), text) for where in WHERE for name, text in texts]
    print("| text | split | planted | rejoined | recall | genuine spaces | false joins | ms per 100k chars |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for row, text in rows:
        recall = row["rejoined"] / max(row["planted"], 1)
        print(f"| {row['text']} | {row['where']} | {row['planted']} | {row['rejoined']} | {recall:.3f} "
              f"| {row['genuine']} | {row['false']} | {row['seconds'] * 1e5 / max(len(text), 1) * 1000:.0f} |")
    for row, _ in rows:
        if row["false_examples"]:
            print(f"{row['text']} ({row['where']}): false joins, e.g. {row['false_examples']}")
        print(f"{row['text']} ({row['where']}): missed, e.g. {row['missed_examples']}")


if __name__ == "__main__":
    main()
