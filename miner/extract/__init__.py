"""PDF -> text blocks, sections and links (pure: bytes in, records out)."""

EXTRACTOR_VERSION = "3"
