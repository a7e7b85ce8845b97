"""The read model's view of the combined verdict: who decided, and why `(none)` (DB reads only).

Built on `db.queries.paper_select`, so its papers and groups are exactly those of the tally:
per group and framework, combined `uses` decided by the text, by the code or by both agreeing,
and the papers where the two signals disagree; and the classified papers without any use split
into own code with no listed framework, no own code found, and own code not analysed.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, and_, case, exists, func, literal, select
from sqlalchemy.orm import Session

from classifiers import ClassifierId
from db.queries import Group, _group, _keys, paper_select
from db.schema import PaperRepo, PredictionRow, RepoAnalysisRow, SignalVerdict
from miner.repos.detect import DETECTOR_VERSION

DECIDED = ("text", "repo", "both")
NONE_REASONS = ("no_listed_framework_in_code", "no_own_code", "not_analysed")
"""Why a classified paper has no combined `uses`: its deciding repository imports no listed
framework (Julia, MATLAB, R, plain NumPy...); no own repository that may decide was found
(none linked, not found, a fork, a reimplementation, no code); or its own code is still
pending or failed."""


def has_predictions(engine: Engine, clf: ClassifierId) -> bool:
    """Whether any prediction of this classifier version exists (e.g. `combined` after repos)."""
    with Session(engine) as session:
        return bool(
            session.scalar(
                select(literal(1))
                .where(
                    PredictionRow.classifier == clf.NAME,
                    PredictionRow.classifier_version == clf.VERSION,
                )
                .limit(1)
            )
        )


def decision_select(
    clf: ClassifierId, *, by: str, venue: str | None = None, year: int | None = None
) -> Any:
    """Per group and framework: combined `uses` decided by the text, the repo, both, and the
    verdicts (any label) where text and code disagree, over the tally's classified papers."""
    pv = paper_select(clf, venue=venue, year=year).subquery("pv")
    keys = _keys(pv, by)
    uses = SignalVerdict.label == "uses"
    return (
        select(
            *keys,
            SignalVerdict.framework.label("framework"),
            *(
                func.sum(case((and_(uses, SignalVerdict.decided_by == d), 1), else_=0)).label(d)
                for d in DECIDED
            ),
            func.sum(case((SignalVerdict.agree.is_(False), 1), else_=0)).label("disagree"),
        )
        .select_from(pv)
        .join(
            SignalVerdict,
            and_(
                SignalVerdict.paper_id == pv.c.id, SignalVerdict.classifier_version == clf.VERSION
            ),
        )
        .where(pv.c.classified == 1)
        .group_by(*keys, SignalVerdict.framework)
    )


def decision_counts(
    engine: Engine, clf: ClassifierId, *, by: str, venue: str | None, year: int | None
) -> dict[Group, dict[str, dict[str, int]]]:
    """decision_select as {group: {framework: {text, repo, both, disagree}}}."""
    out: dict[Group, dict[str, dict[str, int]]] = defaultdict(dict)
    with Session(engine) as session:
        for r in session.execute(decision_select(clf, by=by, venue=venue, year=year)):
            m = r._mapping
            out[_group(r, by)][m["framework"]] = {k: int(m[k] or 0) for k in (*DECIDED, "disagree")}
    return out


def _none_reason(pv: Any) -> Any:
    """Why a classified paper of `pv` without any use has none (one of NONE_REASONS)."""
    mine = and_(PaperRepo.paper_id == pv.c.id, PaperRepo.detector_version == DETECTOR_VERSION)
    code_without = (
        exists()
        .where(mine, PaperRepo.decides.is_(True))
        .where(RepoAnalysisRow.id == PaperRepo.analysis_id, RepoAnalysisRow.primary == "")
    )
    waiting = exists().where(
        mine, PaperRepo.role == "own", PaperRepo.reason.in_(["pending", "failed"])
    )
    return case(
        (code_without, literal(NONE_REASONS[0])),
        (waiting, literal(NONE_REASONS[2])),
        else_=literal(NONE_REASONS[1]),
    )


def none_reason_select(
    clf: ClassifierId, *, by: str, venue: str | None = None, year: int | None = None
) -> Any:
    """Per group: the classified papers with no `uses`, one column per NONE_REASONS (each
    paper's reason worked out once, then counted)."""
    pv = paper_select(clf, venue=venue, year=year).subquery("pv")
    per_paper = (
        select(*_keys(pv, by), _none_reason(pv).label("reason"))
        .where(pv.c.classified == 1, pv.c.with_any == 0)
        .subquery("nr")
    )
    keys = _keys(per_paper, by)
    return select(
        *keys,
        *(func.sum(case((per_paper.c.reason == r, 1), else_=0)).label(r) for r in NONE_REASONS),
    ).group_by(*keys)


def none_reasons(
    engine: Engine, clf: ClassifierId, *, by: str, venue: str | None, year: int | None
) -> dict[Group, dict[str, int]]:
    """none_reason_select as {group: {reason: papers}}."""
    out: dict[Group, dict[str, int]] = defaultdict(lambda: dict.fromkeys(NONE_REASONS, 0))
    with Session(engine) as session:
        for r in session.execute(none_reason_select(clf, by=by, venue=venue, year=year)):
            out[_group(r, by)] = {k: int(r._mapping[k] or 0) for k in NONE_REASONS}
    return out
