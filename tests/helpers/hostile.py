"""Generators of hostile PDFs for the reliability tests: mutations of real PDFs and crafted files.

Every generator is deterministic (a seeded `random.Random`) and fast (well under a second each), so
a fuzz run is reproducible from its seed. `hostile_set(seeds, rng)` returns name -> bytes.
"""

from __future__ import annotations

import random
import re
import zlib
from collections.abc import Sequence


def truncate(data: bytes, rng: random.Random) -> bytes:
    """The file cut at a random offset (somewhere after the header)."""
    return data[: rng.randrange(16, max(17, len(data) - 1))]


def flip_bytes(data: bytes, rng: random.Random, count: int = 64) -> bytes:
    """`count` random bytes replaced by random values (header kept so it still looks like a PDF)."""
    buf = bytearray(data)
    for _ in range(count):
        buf[rng.randrange(16, len(buf))] = rng.randrange(256)
    return bytes(buf)


def remove_xref(data: bytes) -> bytes:
    """The cross-reference tables/streams and `startxref` pointers blanked out."""
    data = re.sub(rb"xref\s.*?trailer", b"trailer", data, flags=re.S)
    data = re.sub(rb"/Type\s*/XRef", b"/Type /Junk", data)
    return re.sub(rb"startxref\s+\d+", b"startxref 0", data)


def garble_streams(data: bytes, rng: random.Random) -> bytes:
    """Random bytes inside every compressed stream (the dictionaries still claim Flate)."""

    def scramble(m: re.Match[bytes]) -> bytes:
        body = m.group(2)
        return m.group(1) + rng.randbytes(len(body)) + m.group(3)

    return re.sub(rb"(stream\r?\n)(.*?)(endstream)", scramble, data, flags=re.S)


def _raw_pdf(objects: Sequence[bytes], root: int = 1) -> bytes:
    """A PDF file from object bodies (numbered from 1), with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for num, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % num + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\n" % (len(objects) + 1, root)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _page_pdf(content: bytes, extra: Sequence[bytes] = (), filters: bytes = b"") -> bytes:
    """A one-page PDF whose content stream is `content`; extra objects are appended from 5 on."""
    stream = b"<< /Length %d %s>>\nstream\n" % (len(content), filters) + content + b"\nendstream"
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
            b"/Resources << /Font << /F1 << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> >> >> >>",
            stream,
            *extra,
        ]
    )


def zip_bomb(mib: int = 100) -> bytes:
    """A page whose small Flate stream (~1 KB per MiB) inflates to `mib` MiB of no-op operators.

    Built without compressing `mib` MiB: after a full flush, deflating the same 1 MiB again gives
    the same bytes, so the stream is that block repeated, closed with the right Adler-32.
    """
    chunk = b"q Q " * 262_144  # 1 MiB of no-op graphics operators
    comp = zlib.compressobj(9)
    head = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    one, checksum = zlib.adler32(chunk), zlib.adler32(chunk)
    for _ in range(mib - 1):
        checksum = _adler32_combine(checksum, one, len(chunk))
    body = head + block * (mib - 1) + b"\x03\x00" + checksum.to_bytes(4, "big")
    return _page_pdf(body, filters=b"/Filter /FlateDecode ")


def text_bomb(mib: int = 256) -> bytes:
    """A page whose small Flate stream inflates to `mib` MiB of text-showing operators (#18)."""
    line = b"BT /F1 1 Tf 10 10 Td (" + b"A" * 200 + b") Tj ET\n"
    return _page_pdf(
        _repeated_flate(line * ((1 << 20) // len(line)), mib), filters=b"/Filter /FlateDecode "
    )


def _repeated_flate(chunk: bytes, times: int) -> bytes:
    """A zlib stream of chunk repeated `times` times, built from two compressions of chunk."""
    comp = zlib.compressobj(9)
    head = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    one = checksum = zlib.adler32(chunk)
    for _ in range(times - 1):
        checksum = _adler32_combine(checksum, one, len(chunk))
    return head + block * (times - 1) + b"\x03\x00" + checksum.to_bytes(4, "big")


def many_links(links: int = 20_000) -> bytes:
    """One page with a line of text and `links` URI link annotations over it (#18)."""
    annots = [
        b"<< /Type /Annot /Subtype /Link /Rect [%d 700 %d 712] /Border [0 0 0] "
        b"/A << /S /URI /URI (https://github.com/owner%d/repo%d) >> >>"
        % (i % 500, i % 500 + 10, i, i)
        for i in range(links)
    ]
    first = 5
    refs = b" ".join(b"%d 0 R" % (first + i) for i in range(links))
    content = b"BT /F1 10 Tf 10 702 Td (Code: https://github.com/owner/repo and more links) Tj ET"
    doc = _page_pdf(content, extra=annots)
    return doc.replace(b"/Contents 4 0 R", b"/Contents 4 0 R /Annots [" + refs + b"]", 1)


def _adler32_combine(a1: int, a2: int, len2: int) -> int:
    """Adler-32 of A+B from those of A and B (zlib's adler32_combine, which Python lacks)."""
    base = 65521
    rem = len2 % base
    sum1 = a1 & 0xFFFF
    sum2 = (rem * sum1) % base
    sum1 += (a2 & 0xFFFF) + base - 1
    sum2 += ((a1 >> 16) & 0xFFFF) + ((a2 >> 16) & 0xFFFF) + base - rem
    sum1 = sum1 - base if sum1 >= base else sum1
    sum1 = sum1 - base if sum1 >= base else sum1
    sum2 = sum2 - 2 * base if sum2 >= 2 * base else sum2
    sum2 = sum2 - base if sum2 >= base else sum2
    return sum1 | (sum2 << 16)


def deep_nesting(depth: int = 100_000) -> bytes:
    """A page dictionary holding arrays and dictionaries nested `depth` levels deep."""
    nested = b"[" * depth + b"]" * depth
    dicts = b"<< /A " * 2000 + b"1" + b" >>" * 2000
    content = b"BT /F1 12 Tf 72 720 Td (nested) Tj ET"
    doc = _page_pdf(content, extra=[nested, dicts])
    return doc.replace(b"/Contents 4 0 R", b"/Contents 4 0 R /Junk 5 0 R /More 6 0 R", 1)


def self_referencing_pages() -> bytes:
    """A page tree whose Kids point back at itself (a cycle) with a lying /Count."""
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 1000000 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 5 >>",
        ]
    )


def huge_object_count(objects: int = 200_000) -> bytes:
    """A valid one-page PDF followed by `objects` tiny unreferenced objects (xref claims them all)."""
    extra = [b"<< /N %d >>" % i for i in range(objects)]
    return _page_pdf(b"BT /F1 12 Tf 72 720 Td (many objects) Tj ET", extra=extra)


def huge_xref_claim() -> bytes:
    """An xref table that claims two billion objects."""
    doc = _page_pdf(b"BT /F1 12 Tf 72 720 Td (xref lies) Tj ET")
    return re.sub(rb"xref\n0 \d+", b"xref\n0 2000000000", doc)


def many_pages(pages: int = 10_000) -> bytes:
    """A valid document with `pages` pages sharing one small content stream (built raw: fast)."""
    content = b"BT /F1 8 Tf 20 100 Td (a page of a very long document) Tj ET"
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    page = (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 3 0 R "
        b"/Resources << /Font << /F1 4 0 R >> >> >>"
    )
    return _raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, pages),
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
            *([page] * pages),
        ]
    )


def hostile_set(
    seeds: Sequence[bytes], rng: random.Random, mutations: int = 3, bomb_mib: int = 100
) -> dict[str, bytes]:
    """Named hostile files: `mutations` random mutations of each seed PDF, plus the crafted ones."""
    files: dict[str, bytes] = {}
    for i, seed in enumerate(seeds):
        for j in range(mutations):
            files[f"s{i}-trunc{j}.pdf"] = truncate(seed, rng)
            files[f"s{i}-flip{j}.pdf"] = flip_bytes(seed, rng)
        files[f"s{i}-noxref.pdf"] = remove_xref(seed)
        files[f"s{i}-garbled.pdf"] = garble_streams(seed, rng)
    files["zip-bomb.pdf"] = zip_bomb(bomb_mib)
    files["deep-nesting.pdf"] = deep_nesting()
    files["page-cycle.pdf"] = self_referencing_pages()
    files["huge-object-count.pdf"] = huge_object_count()
    files["huge-xref-claim.pdf"] = huge_xref_claim()
    files["10000-pages.pdf"] = many_pages()
    return files
