"""`miner reparse`: rebuild papers from the stored listing responses and check each crawl's
completeness again, no network (DB IO)."""

from __future__ import annotations

import logging

from db import Engine, Session, crawls, store
from miner import __version__
from miner.errors import MinerError
from miner.sources import PARSER_VERSION, get_source
from miner.sources.source import CrawlSpec, Listed, spec_from_dict
from miner.stages import StageReport
from miner.stages.checks import Seen, run_checks
from miner.stages.crawl import dedupe
from miner.stages.recorded import recorded_run

logger = logging.getLogger(__name__)


def run_reparse(engine: Engine, *, source: str | None = None) -> StageReport:
    """Parse every stored listing again with the current parsers, upsert the papers, and rerun
    the completeness check of every crawl scope the pages belong to.

    A crawl's --limit is applied per stored page (exact for the one-page sources).
    """
    versions = {"miner": __version__, "parser": PARSER_VERSION}
    with (
        Session(engine) as session,
        recorded_run(session, "reparse", {"source": source}, versions) as report,
    ):
        scopes: dict[tuple[str, str], tuple[CrawlSpec, list[Listed], Seen]] = {}
        for page in list(crawls.iter_raw(session, source)):  # commits below end a cursor
            spec = spec_from_dict(page.spec)
            parser = get_source(page.source)
            try:
                records = parser.parse(page.url, page.body, spec)
                listed = parser.listed(page.url, page.body, spec)
            except MinerError as exc:
                logger.warning("%s: %s", page.url, exc)
                report.counts["pages_failed"] += 1
                continue
            records = dedupe(records[: spec.limit] if spec.limit else records)
            new = store.upsert_papers(session, records)
            report.counts["pages"] += 1
            report.counts["new"] += new
            report.counts["updated"] += len(records) - new
            crawls.mark_parsed(session, page.url, PARSER_VERSION)
            session.commit()
            _, pages, seen = scopes.setdefault((page.source, page.scope), (spec, [], Seen()))
            pages.append(listed)
            seen.add(records)
        for spec, pages, seen in scopes.values():
            report.checks.extend(c.as_dict() for c in run_checks(session, spec, pages, seen))
    return report
