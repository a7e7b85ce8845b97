"""Stage orchestrators for crawl, fetch and reparse: HTTP via miner.http, writes via db (no click).

Resumable by construction: every listing page is committed to `raw_payloads` as soon as it
arrives and a crawl run again replays stored pages instead of fetching them (unless `refresh`);
papers are upserted on (source, source_id); each downloaded PDF is committed as it lands, and
the cache file is renamed into place only when complete.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path
from urllib.parse import urlencode

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db import crawl as crawl_store
from db import store
from miner import __version__
from miner.download import MAX_PDF_BYTES, Downloaded, clean_partials, fetch_pdf
from miner.errors import FetchError, MinerError
from miner.http import CONTACT, DEFAULT_DELAY, Fetcher, RateLimiter, Retry, make_client
from miner.pipeline import StageReport
from miner.records import PaperRecord
from miner.sources import PARSER_VERSION, CrawlSpec, Page, Source, get_source

logger = logging.getLogger(__name__)

BATCH = 200
Progress = Callable[[int], None]


def make_fetcher(
    *,
    base_url: str | None = None,
    delay: float = DEFAULT_DELAY,
    max_retries: int = 4,
    timeout: float = 30.0,
    contact: str = CONTACT,
) -> Fetcher:
    """A Fetcher with the project's client, a per-host rate limit and the retry policy."""
    if base_url:
        rebase_check = Fetcher(make_client(), base_url=base_url)
        rebase_check.url("https://example.org/")  # raises UsageError on a bad --base-url
        rebase_check.client.close()
    return Fetcher(
        make_client(timeout=timeout, contact=contact),
        limiter=RateLimiter(delay=delay),
        retry=Retry(max_retries=max_retries),
        base_url=base_url,
    )


def full_url(url: str, params: Mapping[str, str | int] | None) -> str:
    """url with its query parameters in a stable order (the raw payload key)."""
    if not params:
        return url
    return f"{url}{'&' if '?' in url else '?'}{urlencode(sorted(params.items()))}"


def spec_dict(spec: CrawlSpec) -> dict[str, object]:
    """A JSON-able copy of spec (ids as a list)."""
    data = dataclasses.asdict(spec)
    data["ids"] = list(spec.ids)
    return data


def spec_from_dict(data: Mapping[str, object]) -> CrawlSpec:
    """Inverse of spec_dict, ignoring unknown keys."""
    fields = {f.name for f in dataclasses.fields(CrawlSpec)}
    kwargs = {k: v for k, v in data.items() if k in fields}
    kwargs["ids"] = tuple(kwargs.get("ids") or ())  # type: ignore[arg-type]
    return CrawlSpec(**kwargs)  # type: ignore[arg-type]


def _dedupe(records: Iterable[PaperRecord]) -> list[PaperRecord]:
    """Last record per (source, source_id): one upsert statement must not touch a row twice."""
    return list({(r.source, r.source_id): r for r in records}.values())


class _PageGetter:
    """The `get(url, params)` a source crawls with: stored payload first, else fetch and keep."""

    def __init__(
        self,
        session: Session,
        fetcher: Fetcher,
        spec: CrawlSpec,
        report: StageReport,
        refresh: bool,
    ) -> None:
        self.session, self.fetcher, self.spec, self.report = session, fetcher, spec, report
        self.refresh = refresh

    def __call__(self, url: str, params: Mapping[str, str | int] | None) -> Page:
        key = full_url(url, params)
        if not self.refresh:
            stored = crawl_store.load_raw(self.session, key)
            if stored is not None and 200 <= stored.status < 300:
                self.report.counts["pages_stored"] += 1
                return Page(key, stored.status, stored.body, stored.content_type)
        response = self.fetcher.get(url, params=params)
        page = Page(
            key, response.status_code, response.content, response.headers.get("Content-Type", "")
        )
        crawl_store.save_raw(
            self.session,
            url=key,
            source=self.spec.source,
            scope=self.spec.scope,
            spec=spec_dict(self.spec),
            status=page.status,
            content_type=page.content_type,
            body=page.body,
        )
        self.session.commit()  # a page once fetched is never fetched again by a resumed crawl
        self.report.counts["pages_fetched"] += 1
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
    Raises FetchError when a listing page cannot be had (after retries); papers parsed before
    that are kept and the crawl state says `failed`.
    """
    source = source or get_source(spec.source)
    report = StageReport()
    with Session(engine) as session:
        run = store.start_run(
            session, "crawl", spec_dict(spec), {"miner": __version__, "parser": PARSER_VERSION}
        )
        crawl_store.set_crawl_state(session, spec.source, spec.scope, "running")
        session.commit()
        get = _PageGetter(session, fetcher, spec, report, refresh)
        batch: list[PaperRecord] = []
        seen = 0

        def flush() -> None:
            new = store.upsert_papers(session, _dedupe(batch))
            report.counts["new"] += new
            report.counts["updated"] += len(_dedupe(batch)) - new
            session.commit()
            batch.clear()

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
        except MinerError as exc:
            flush()
            pages = report.counts["pages_fetched"] + report.counts["pages_stored"]
            crawl_store.set_crawl_state(
                session, spec.source, spec.scope, "failed", pages, seen, str(exc)
            )
            store.finish_run(session, run, report.counts, status="failed")
            raise
        pages = report.counts["pages_fetched"] + report.counts["pages_stored"]
        crawl_store.set_crawl_state(session, spec.source, spec.scope, "done", pages, seen)
        store.finish_run(session, run, report.counts)
    return report


def run_fetch(
    engine: Engine,
    fetcher: Fetcher,
    data_dir: str | Path,
    *,
    workers: int = 1,
    limit: int | None = None,
    retry_failed: bool = False,
    max_bytes: int = MAX_PDF_BYTES,
    progress: Progress | None = None,
) -> StageReport:
    """Download every pending PDF into the cache; each result is committed as it arrives.

    Per-paper failures are recorded (`fetch_status=failed`, `fetch_error`) and never abort the run.
    """
    report = StageReport()
    removed = clean_partials(data_dir)
    if removed:
        logger.info("removed %d partial downloads from an interrupted run", removed)
    with Session(engine) as session:
        rows = session.execute(crawl_store.select_pending_fetch(retry_failed).limit(limit)).all()
        jobs: list[tuple[int, str]] = [(int(r[0]), str(r[1])) for r in rows]
        if not jobs:
            return report
        run = store.start_run(
            session,
            "fetch",
            {"workers": workers, "retry_failed": retry_failed},
            {"miner": __version__},
        )

        def one(url: str) -> Downloaded:
            return fetch_pdf(fetcher, url, data_dir, max_bytes)

        with ThreadPoolExecutor(max_workers=workers) as pool:
            pending: dict[Future[Downloaded], int] = {}
            queue = iter(jobs)
            while True:
                for paper_id, url in queue:
                    pending[pool.submit(one, url)] = paper_id
                    if len(pending) >= workers * 2:
                        break
                if not pending:
                    break
                done, _ = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    paper_id = pending.pop(future)
                    try:
                        got = future.result()
                    except FetchError as exc:
                        crawl_store.save_fetch_failed(session, paper_id, str(exc))
                        report.counts["failed"] += 1
                    else:
                        crawl_store.save_fetch_ok(session, paper_id, got.sha256, got.size, got.path)
                        report.counts["ok"] += 1
                    session.commit()
                    if progress:
                        progress(1)
        store.finish_run(session, run, report.counts)
    return report


def run_reparse(engine: Engine, *, source: str | None = None) -> StageReport:
    """Parse every stored listing again with the current parsers and upsert the papers (no network).

    A crawl's --limit is applied per stored page (exact for the one-page sources).
    """
    report = StageReport()
    with Session(engine) as session:
        pages = list(crawl_store.iter_raw(session, source))
        for page in pages:
            spec = spec_from_dict(page.spec)
            try:
                records = get_source(page.source).parse(page.url, page.body, spec)
            except MinerError as exc:
                logger.warning("%s: %s", page.url, exc)
                report.counts["pages_failed"] += 1
                continue
            records = _dedupe(records[: spec.limit] if spec.limit else records)
            new = store.upsert_papers(session, records)
            report.counts["pages"] += 1
            report.counts["new"] += new
            report.counts["updated"] += len(records) - new
            crawl_store.mark_parsed(session, page.url, PARSER_VERSION)
            session.commit()
    return report
