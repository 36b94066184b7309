"""Entity names a reader would not cite, on PolNeAR's texts: storyline's canonical names beside spaCy's own.

Issue 17 asks for entity names that are names. This counts, per part of ../shared/bench/attribution (train's
tune part, the part of train the rules were not tuned on, dev; `attribution.held_out` draws the line), the
distinct names (WORK_OF_ART, EVENT and LAW left out: titles keep their words) that hold

* a word in lower case that is no name particle ("this White House", "Twitter junkie"; "de", "bin" are
  particles),
* a link, a handle or markup ("http://…", "@handle", "</tweet>"),
* a possessive inside ("<Name>'s agenda"),

and the roles that end in "for" or "of" (a title that is someone else's: "spokeswoman for"). storyline: the
names of `canonical.canonicalise` over `entity_mentions.mentions` of the part's parses. Baseline: spaCy's own
entity texts (`doc.ents`, the same labels, the same parses), as a tool that printed them would. No peer ships
canonical entity names over this corpus. The parses come from bench/attribution.py's cache
(bench/_work/attribution-docs; made on first use).

    python bench/entity_names.py [--examples 8]
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import attribution  # noqa: E402

PARTICLES = frozenset("de da das do dos du del della di van von der den ter ten al el bin ibn ben la le y "
                      "of the and for on at in to a an & e st. vs. v.".split())
TITLES = frozenset({"WORK_OF_ART", "EVENT", "LAW"})
_LINK = re.compile(r"https?:|www\.|=\"|</?\w+>|(?:^|\s)@\w")
_POSSESSIVE = re.compile(r"[’'‘]s\b(?!$)")


def flaws(name: str) -> list[str]:
    """Which of the counted flaws a name has."""
    out = []
    if any(not any(c.isupper() for c in w) and w.lower() not in PARTICLES and not any(c.isdigit() for c in w)
           and any(c.isalpha() for c in w) for w in name.split()):
        out.append("lower-case word")
    if _LINK.search(name):
        out.append("link or markup")
    if _POSSESSIVE.search(name):
        out.append("possessive inside")
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--examples", type=int, default=5, help="examples printed per count")
    args = ap.parse_args()
    if not attribution.DATA.exists():
        print(f"{attribution.DATA}: not found; skipping (the benchmark reads ../shared/bench beside the project)")
        return
    from storyline.nlp.canonical import canonicalise
    from storyline.nlp.entity_mentions import mentions

    nlp, _ = attribution._nlp()
    splits = {s: attribution.load(s, None) for s in ("train", "dev")}
    docs = attribution.cached_docs(nlp, [t for s in splits.values() for _, t, _ in s])
    stems = [(s, stem) for s in splits for stem, _, _ in splits[s]]
    parts = {"train tune": lambda s, st: s == "train" and not attribution.held_out(st),
             "train held-out": lambda s, st: s == "train" and attribution.held_out(st),
             "dev": lambda s, st: s == "dev"}
    kinds = ("lower-case word", "link or markup", "possessive inside", "role ending in for/of")
    print(f"{'system':<28}{'part':<16}{'names':>7}" + "".join(f"{k:>24}" for k in kinds))
    for part, inside in parts.items():
        chosen = [(st, d) for (s, st), d in zip(stems, docs) if inside(s, st)]
        ents = canonicalise({st: mentions(d) for st, d in chosen})
        ours = {e.name: e for e in ents if e.type not in TITLES}
        theirs = {" ".join(e.text.split()) for _, d in chosen for e in d.ents if e.label_ not in TITLES
                  and e.label_ in ("PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "PRODUCT")}
        bad_roles = sorted({(n, r) for n, e in ours.items() for r in e.roles
                            if r.split()[-1].lower() in ("for", "of")})
        rows = {"storyline canonical names": {n: flaws(n) for n in ours},
                "baseline: spaCy's entities": {n: flaws(n) for n in theirs}}
        examples = []
        for system, found in rows.items():
            counts = [sum(k in f for f in found.values()) for k in kinds[:3]]
            roles = len(bad_roles) if system.startswith("storyline") else None
            print(f"{system:<28}{part:<16}{len(found):>7}" + "".join(f"{c:>24}" for c in counts)
                  + f"{'–' if roles is None else roles:>24}")
            if system.startswith("storyline"):
                examples = [n for n, f in found.items() if f][:args.examples]
        if examples or bad_roles:
            print(f"  storyline, {part}: {examples} {bad_roles[:args.examples]}")


if __name__ == "__main__":
    main()
