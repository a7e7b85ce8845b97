"""`miner fetch`: download pending PDFs into the content-addressed cache (HTTP, file and DB IO).

Each downloaded PDF is committed as it lands; the cache file is renamed into place only when
complete, so an interrupted run leaves partial files that the next run removes. Papers are
leased, so concurrent fetches (two `miner run`) share the work instead of repeating it.
"""

from __future__ import annotations

import logging
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from pathlib import Path

from db import Engine, Session, crawls, leases
from miner import __version__
from miner.download import MAX_PDF_BYTES, Downloaded, clean_partials, fetch_pdf
from miner.errors import FetchError
from miner.http import Fetcher
from miner.stages import Progress, StageReport
from miner.stages.leased import leased_run

logger = logging.getLogger(__name__)


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
    Papers are leased like extract's (db/leases.py): two fetches on one database never download
    the same paper; each lease is released with the paper's result.
    """
    removed = clean_partials(data_dir)
    if removed:
        logger.info("removed %d partial downloads from an interrupted run", removed)
    report = StageReport()
    with Session(engine) as session:
        jobs = crawls.pending_fetch(session, retry_failed, limit)
        if not jobs:
            return report
        args = {"workers": workers, "retry_failed": retry_failed, "limit": limit}
        queue = crawls.fetch_queue(retry_failed)
        with leased_run(session, "fetch", "fetch", args, {"miner": __version__}, report) as lr:
            mine = leases.iter_leased(
                session,
                "fetch",
                jobs,
                lambda job: job[0],
                queue.ids,
                queue.column,
                owner=lr.owner,
                chunk=max(4, 2 * workers),
            )

            def one(url: str) -> Downloaded:
                return fetch_pdf(fetcher, url, data_dir, max_bytes)

            with ThreadPoolExecutor(max_workers=workers) as pool:
                running: dict[Future[Downloaded], int] = {}
                while True:
                    for paper_id, url in mine:
                        running[pool.submit(one, url)] = paper_id
                        if len(running) >= workers * 2:
                            break
                    if not running:
                        break
                    done, _ = wait(running, return_when=FIRST_COMPLETED)
                    for future in done:
                        paper_id = running.pop(future)
                        try:
                            got = future.result()
                        except FetchError as exc:
                            crawls.save_fetch_failed(session, paper_id, str(exc))
                            report.counts["failed"] += 1
                        else:
                            crawls.save_fetch_ok(session, paper_id, got.sha256, got.size, got.path)
                            report.counts["ok"] += 1
                        lr.release(paper_id)
                        session.commit()
                        if progress:
                            progress(1)
    return report
