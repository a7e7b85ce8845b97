"""`miner reparse`: rebuild papers from the stored listing responses, no network (DB IO)."""

from __future__ import annotations

import logging

from db import Engine, Session, crawls, store
from miner import __version__
from miner.errors import MinerError
from miner.sources import PARSER_VERSION, get_source
from miner.sources.source import spec_from_dict
from miner.stages import StageReport
from miner.stages.crawl import dedupe
from miner.stages.recorded import recorded_run

logger = logging.getLogger(__name__)


def run_reparse(engine: Engine, *, source: str | None = None) -> StageReport:
    """Parse every stored listing again with the current parsers and upsert the papers.

    A crawl's --limit is applied per stored page (exact for the one-page sources).
    """
    versions = {"miner": __version__, "parser": PARSER_VERSION}
    with (
        Session(engine) as session,
        recorded_run(session, "reparse", {"source": source}, versions) as report,
    ):
        for page in list(crawls.iter_raw(session, source)):  # commits below end a cursor
            spec = spec_from_dict(page.spec)
            try:
                records = get_source(page.source).parse(page.url, page.body, spec)
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
    return report
