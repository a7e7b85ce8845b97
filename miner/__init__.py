"""framework-miner: which deep-learning framework do the papers at a venue actually use."""

import os
import sys

__version__ = "0.1.0"
__all__ = ["__version__"]

# PyMuPDF 2 imports its optional layout model and pymupdf4llm (onnxruntime, numpy) on
# `import pymupdf`: about 2 s and 100 MB in every worker process. miner uses neither
# (page.get_layout(), Document.to_markdown()), so keep them out unless MINER_PYMUPDF_EXTRAS=1
# (#7). Text extraction is the same either way; import miner before pymupdf for this to apply.
if os.environ.get("MINER_PYMUPDF_EXTRAS") != "1":
    for _name in ("pymupdf.layout", "pymupdf4llm"):
        sys.modules.setdefault(_name, None)  # type: ignore[arg-type]
