"""How often a classifier's verdict agrees with the corpus manifest's `repo_framework_from_code`.

Usage: python bench/text_vs_repo.py --db corpus.db --manifest ../shared/corpus/manifest.csv
       [--classifier rules|keyword-baseline|combined|repo] [--per-paper]

Papers are matched to manifest rows by PDF sha256. Rows whose value is empty or `unknown` (no code,
or a collection repository) are left out. Per paper the classifier's `uses` set is compared with the
manifest framework: `exact` (the set is just that framework), `includes` (it is in a larger set),
`silent` (nothing used), `wrong` (other frameworks only). For `other` (code without a listed
framework) only `silent` counts as agreement.
"""

from __future__ import annotations

import argparse
import csv
import sys
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers import get_classifier
from db import make_engine
from db.schema import CodeLink, Paper, PredictionRow

ALIASES = {"paddle": "paddlepaddle"}
OUTCOMES = ("exact", "includes", "silent", "wrong")


def outcome(truth: str, used: set[str]) -> str:
    """exact | includes | silent | wrong for one paper."""
    if not used:
        return "silent"
    if truth == "other":
        return "wrong"
    if used == {truth}:
        return "exact"
    return "includes" if truth in used else "wrong"


Row = tuple[str, str, list[str], str, str]


def compare(db: str, manifest: Path, classifier: str) -> list[Row]:
    """(slug, manifest framework, classifier's uses, outcome, link) per matched paper.

    `link` says whether the paper's extracted code links include the manifest's source repository:
    `own`, `found` (not flagged own) or `-`: the reach of the repository signal.
    """
    try:
        clf = get_classifier(classifier)
    except KeyError:  # `combined` and `repo` are written by `miner repos`, not registered
        clf = None
    engine = make_engine(db)
    with Session(engine) as s:
        by_sha = {sha: pid for pid, sha in s.execute(select(Paper.id, Paper.pdf_sha256))}
        q = select(PredictionRow.paper_id, PredictionRow.framework).where(
            PredictionRow.classifier == classifier, PredictionRow.label == "uses"
        )
        if clf is not None:
            q = q.where(PredictionRow.classifier_version == clf.VERSION)
        uses: dict[int, set[str]] = defaultdict(set)
        for pid, fw in s.execute(q):
            uses[pid].add(fw)
        links: dict[int, dict[str, bool]] = defaultdict(dict)
        for pid, url, own in s.execute(
            select(CodeLink.paper_id, CodeLink.url, CodeLink.own).where(CodeLink.kind == "code")
        ):
            key = url.lower().removeprefix("https://github.com/")
            links[pid][key] = links[pid].get(key, False) or bool(own)
    rows = []
    with manifest.open() as fh:
        for row in csv.DictReader(fh):
            truth = ALIASES.get(row["repo_framework_from_code"], row["repo_framework_from_code"])
            paper = by_sha.get(row["sha256"])
            if truth in ("", "unknown") or paper is None:
                continue
            used = uses.get(paper, set())
            repo = row["source_repo"].lower()
            link = "-" if repo not in links[paper] else ("own" if links[paper][repo] else "found")
            rows.append((row["slug"], truth, sorted(used), outcome(truth, used), link))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--manifest", type=Path, required=True)
    parser.add_argument("--classifier", default="rules")
    parser.add_argument("--per-paper", action="store_true")
    args = parser.parse_args(argv)
    rows = compare(args.db, args.manifest, args.classifier)
    if not rows:
        print("no manifest papers with repo_framework_from_code found in the database")
        return 1
    if args.per_paper:
        for slug, truth, used, result, link in rows:
            print(f"{result:8}  {truth:12}  {','.join(used) or '-':30}  {link:5}  {slug}")
        print()
    total = Counter(r[3] for r in rows)
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for _, truth, _, result, _ in rows:
        per[truth][result] += 1
    n = len(rows)
    agree = total["exact"] + total["includes"] + per["other"]["silent"]
    print(f"classifier {args.classifier}; papers with a repo framework: {n}")
    print("framework     n  " + "  ".join(f"{o:>8}" for o in OUTCOMES))
    for truth in sorted(per, key=lambda t: (-sum(per[t].values()), t)):
        counts = per[truth]
        cells = "  ".join(f"{counts[o]:8d}" for o in OUTCOMES)
        print(f"{truth:12} {sum(counts.values()):2d}  {cells}")
    cells = "  ".join(f"{total[o]:8d}" for o in OUTCOMES)
    print(f"{'all':12} {n:2d}  {cells}")
    print(
        f"agrees (exact, includes, or silent on `other`): {agree}/{n} = {agree / n:.1%}; "
        f"exact {total['exact'] / n:.1%}; text silent {total['silent'] / n:.1%}"
    )
    reach = Counter(r[4] for r in rows)
    silent_linked = sum(1 for r in rows if r[3] == "silent" and r[4] != "-")
    print(
        f"source repository among the paper's code links: {n - reach['-']}/{n} "
        f"(flagged own: {reach['own']}); of the {total['silent']} silent papers, "
        f"{silent_linked} link their source repository"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
