"""Helpers shared by the tests (no fixtures here: those live in tests/conftest.py).

- `paths`: ROOT of the checkout and the one lookup of ../shared (SHARED, CORPUS, GOLD, FIXTURES).
- `cli`: `Miner`, the in-process `miner` runner bound to one database.
- `pdfs`: `build_pdf`, real PDFs made in memory.
- `databases`: `copy_db` (a consistent copy of a SQLite database) and `load_docs` (extractions back as docs).
- `recorded`, `openreview_shapes`, `faulty_server`, `hostile`, `dbcheck`: recorded HTTP responses,
  synthetic OpenReview payloads, a misbehaving HTTP server, hostile PDFs, reliability checks.
"""
