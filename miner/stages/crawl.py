"""`miner crawl`: list a venue's papers, keeping every listing response (HTTP via miner.http, DB IO).

Resumable by construction: every listing page is committed to `raw_payloads` as soon as it
arrives and a crawl run again replays stored pages instead of fetching them (unless `refresh`);
papers are upserted on (source, source_id). Imports no PDF or ML library.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from urllib.parse import urlencode

from db import Engine, Session, crawls, store
from miner import __version__
from miner.errors import MinerError
from miner.http import Fetcher
from miner.records import PaperRecord
from miner.sources import PARSER_VERSION, CrawlSpec, Page, Source, get_source
from miner.sources.source import Listed, spec_dict
from miner.stages import Progress, StageReport
from miner.stages.checks import Seen, run_checks
from miner.stages.recorded import recorded_run, stopped_state

BATCH = 200
"""Papers upserted per commit."""


def full_url(url: str, params: Mapping[str, str | int] | None) -> str:
    """url with its query parameters in a stable order (the raw payload key)."""
    if not params:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(sorted(params.items()))}"


def dedupe(records: Iterable[PaperRecord]) -> list[PaperRecord]:
    """Last record per (source, source_id): one upsert statement must not touch a row twice."""
    return list({(r.source, r.source_id): r for r in records}.values())


class PageGetter:
    """The `get(url, params, fresh=)` a source crawls with: stored payload first (unless
    fresh), else fetch and keep. Notes what each page says about its size (`listed`)."""

    def __init__(
        self,
        session: Session,
        fetcher: Fetcher,
        source: Source,
        spec: CrawlSpec,
        report: StageReport,
        refresh: bool,
    ) -> None:
        self.session, self.fetcher, self.spec, self.report = session, fetcher, spec, report
        self.source, self.refresh = source, refresh
        self.listed: dict[str, Listed] = {}
        """Per page URL (a page fetched again replaces its entry)."""

    def __call__(
        self, url: str, params: Mapping[str, str | int] | None = None, *, fresh: bool = False
    ) -> Page:
        key = full_url(url, params)
        if not (self.refresh or fresh):
            stored = crawls.load_raw(self.session, key)
            if stored is not None and 200 <= stored.status < 300:
                self.report.counts["pages_stored"] += 1
                return self._noted(Page(key, stored.status, stored.body, stored.content_type))
        response = self.fetcher.get(url, params=params)
        page = Page(
            key, response.status_code, response.content, response.headers.get("Content-Type", "")
        )
        crawls.save_raw(
            self.session,
            url=key,
            source=self.spec.source,
            scope=self.spec.scope,
            spec=spec_dict(self.spec),
            status=page.status,
            content_type=page.content_type,
            body=page.body,
        )
        self.report.counts["pages_fetched"] += 1
        self.session.commit()  # a page once fetched is never fetched again by a resumed crawl
        return self._noted(page)

    def _noted(self, page: Page) -> Page:
        self.listed[page.url] = self.source.listed(page.url, page.body, self.spec)
        return page


def run_crawl(
    engine: Engine,
    fetcher: Fetcher,
    spec: CrawlSpec,
    *,
    refresh: bool = False,
    progress: Progress | None = None,
    source: Source | None = None,
) -> StageReport:
    """List a venue's papers into `papers`, keeping every listing response in `raw_payloads`.

    `source` overrides the registry's (tests: a smaller page size).
    Raises FetchError when a listing page cannot be had (after retries), ParseError when one
    has the wrong shape; papers parsed before that are kept and the crawl state says `failed`
    (`interrupted` after Ctrl-C or SIGTERM). A finished crawl is checked for completeness
    (miner.stages.checks): the checks go into the run's counts and differences are logged.
    """
    source = source or get_source(spec.source)
    versions = {"miner": __version__, "parser": PARSER_VERSION}
    with (
        Session(engine) as session,
        recorded_run(session, "crawl", spec_dict(spec), versions) as report,
    ):
        crawls.set_crawl_state(session, spec.source, spec.scope, "running")
        session.commit()
        get = PageGetter(session, fetcher, source, spec, report, refresh)
        batch: list[PaperRecord] = []
        seen = 0
        got = Seen()

        def flush() -> None:
            got.add(batch)
            records = dedupe(batch)
            new = store.upsert_papers(session, records)
            report.counts["new"] += new
            report.counts["updated"] += len(records) - new
            session.commit()
            batch.clear()

        def state(status: str, error: str | None = None) -> None:
            pages = report.counts["pages_fetched"] + report.counts["pages_stored"]
            crawls.set_crawl_state(session, spec.source, spec.scope, status, pages, seen, error)
            session.commit()

        try:
            for record in source.crawl(get, spec):
                batch.append(record)
                seen += 1
                if progress:
                    progress(1)
                if len(batch) >= BATCH:
                    flush()
                if spec.limit and seen >= spec.limit:
                    break
            flush()
        except (MinerError, KeyboardInterrupt, SystemExit) as exc:
            flush()  # what was parsed before the stop is kept
            state(stopped_state(exc), str(exc) if isinstance(exc, MinerError) else None)
            raise
        state("done")
        checks = run_checks(session, spec, get.listed.values(), got)
        report.checks.extend(c.as_dict() for c in checks)
    return report
