"""Where extraction time goes: PyMuPDF's own calls against miner's extract_pdf, same files.

Run: .venv/bin/python bench/profile_extract.py [--corpus DIR] [--limit N] [--depth 4]

Part 1 times, in one process on the same bytes: (a) raw `page.get_text()`; the text page alone
(`get_textpage`, which (a) builds too); the text page plus `get_text("dict")` (the span
structure the layout reads: fonts, sizes, superscripts, line directions); that plus the word
list on pages with web links (link anchor text); the text page plus the compiled walker
(miner.extract.native: line summaries and anchor texts); and miner's `extract_pdf` on its
compiled path and on its pure-Python (dictionary) path. Each row shows
(a)'s time over its own: the best (b)/(a) a design that reads that much could reach.
Part 2 prints pyinstrument's call tree of `extract_pdf` over the same files. Not a test.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from throughput import corpus_files, corpus_parser

import miner  # noqa: F401  # before pymupdf (see miner/__init__)
from miner.extract.native import anchor_texts, page_lines
from miner.extract.pdf import TEXT_FLAGS, extract_pdf, uri_links

FLAGS_NOTE = "miner.extract.pdf.TEXT_FLAGS (TEXTFLAGS_DICT without images)"


def each_page(datas: list[bytes], fn: Callable[..., object]) -> None:
    import pymupdf

    for data in datas:
        with pymupdf.open(stream=data, filetype="pdf") as doc:
            for page in doc:
                fn(page)


def main() -> None:
    import pymupdf

    parser = corpus_parser(__doc__)
    parser.add_argument("--depth", type=int, default=4, help="Levels of the call tree shown.")
    args = parser.parse_args()
    files = corpus_files(args)
    datas = [f.read_bytes() for f in files]
    flags = TEXT_FLAGS

    def textpage(page: pymupdf.Page) -> None:
        page.get_textpage(flags=flags)

    def with_dict(page: pymupdf.Page) -> None:
        page.get_text("dict", textpage=page.get_textpage(flags=flags))

    def with_words(page: pymupdf.Page) -> None:
        tp = page.get_textpage(flags=flags)
        page.get_text("dict", textpage=tp)
        if uri_links(page):
            page.get_text("words", textpage=tp)

    def with_walker(page: pymupdf.Page) -> None:
        tp = page.get_textpage(flags=flags)
        page_lines(tp)
        if web := uri_links(page):
            anchor_texts(tp, [box for _, box in web])

    steps: list[tuple[str, Callable[[], object]]] = [
        ("(a) raw page.get_text()", lambda: each_page(datas, lambda p: p.get_text())),
        ("text page only", lambda: each_page(datas, textpage)),
        ('text page + get_text("dict")', lambda: each_page(datas, with_dict)),
        ("+ words on pages with web links", lambda: each_page(datas, with_words)),
        (
            "text page + compiled walker (+ anchors on pages with web links)",
            lambda: each_page(datas, with_walker),
        ),
        ("miner extract_pdf", lambda: [extract_pdf(d) for d in datas]),
        (
            "miner extract_pdf, dictionary path (native=False)",
            lambda: [extract_pdf(d, native=False) for d in datas],
        ),
    ]
    pages = sum(pymupdf.open(stream=d, filetype="pdf").page_count for d in datas)
    print(f"# {len(files)} files, {pages} pages; text page flags: {FLAGS_NOTE}")
    print("| step | CPU seconds | (a) / step |")
    print("|---|---:|---:|")
    raw = 0.0
    for name, fn in steps:
        started = time.process_time()
        fn()
        seconds = time.process_time() - started
        raw = raw or seconds
        print(f"| {name} | {seconds:.2f} | {raw / seconds:.2f} |")

    from pyinstrument import Profiler

    profiler = Profiler(interval=0.001)
    profiler.start()
    for d in datas:
        extract_pdf(d)
    profiler.stop()
    print()
    text = profiler.output_text(unicode=False, color=False, show_all=False)
    for line in text.splitlines():  # the tree down to --depth levels below extract_pdf
        indent = (len(line) - len(line.lstrip(" |`-"))) // 3
        if line.strip() and indent <= args.depth + 1:
            print(line)


if __name__ == "__main__":
    main()
