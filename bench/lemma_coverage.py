"""How often the index stores a word's true lemma: UD Russian-GSD's hand-checked lemmas.

    python bench/lemma_coverage.py [--ud DIR] [--misses N]

For every content-word token (NOUN, PROPN, ADJ, VERB) of the treebank's dev and test
files it checks whether the gold lemma, lower-cased and ё-folded, is among the terms our
analyzer indexes for the token, and prints the share per part of speech, for our
analysis and for pymorphy's first parse alone. ``--misses N`` lists the N most frequent
misses with their gold lemma and what we index instead.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer.analysis import INDEX  # noqa: E402
from indexer.morphology import fold_yo, get_morph  # noqa: E402

DEFAULT_UD = ROOT.parent / "shared" / "eval" / "ud_ru_gsd"
CONTENT = ("NOUN", "PROPN", "ADJ", "VERB")


def tokens(folder: Path) -> list[tuple[str, str, str]]:
    """``(form, gold lemma, part of speech)`` of the content words of every .conllu file."""
    files = sorted(folder.glob("*.conllu"))
    if not files:
        raise SystemExit(f"no .conllu files in {folder} (give the folder with --ud)")
    out = []
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            cells = line.split("\t")
            if len(cells) == 10 and cells[0].isdigit() and cells[3] in CONTENT:
                out.append((cells[1], fold_yo(cells[2].lower()), cells[3]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ud", type=Path, default=DEFAULT_UD)
    parser.add_argument("--misses", type=int, default=0)
    args = parser.parse_args()

    morph = get_morph()
    found = tokens(args.ud)
    ours: Counter[str] = Counter()
    first: Counter[str] = Counter()
    total: Counter[str] = Counter()
    misses: Counter[tuple[str, str, str]] = Counter()
    for form, gold, pos in found:
        indexed = {lemma for word in INDEX(form) for lemma in word.lemmas}
        total[pos] += 1
        ours[pos] += gold in indexed
        first[pos] += gold == fold_yo(morph.parse(form.lower())[0].normal_form)
        if gold not in indexed:
            misses[form.lower(), gold, "/".join(sorted(indexed))] += 1

    print(f"{len(found)} content-word tokens in {args.ud}")
    print(f"{'part of speech':<16}{'tokens':>8}{'ours':>9}{'first parse':>13}")
    for pos in (*CONTENT, "all"):
        n = sum(total.values()) if pos == "all" else total[pos]
        a = sum(ours.values()) if pos == "all" else ours[pos]
        b = sum(first.values()) if pos == "all" else first[pos]
        print(f"{pos:<16}{n:>8}{100 * a / n:>8.2f}%{100 * b / n:>12.2f}%")
    if args.misses:
        print("\nmost frequent misses (form, gold lemma, what we index):")
        for (form, gold, indexed), count in misses.most_common(args.misses):
            print(f"{count:>4}  {form:<20} {gold:<20} {indexed}")


if __name__ == "__main__":
    main()
