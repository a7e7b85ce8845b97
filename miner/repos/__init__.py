"""Code-repository evidence: which frameworks a paper's linked code actually imports.

`detect` is pure (listings and file texts in, verdicts out); `github` (REST API) and `git`
(shallow clone) are the two backends behind `base.RepoBackend`; `stage` runs it all on a DB.
"""

from miner.repos.detect import DETECTOR_VERSION

__all__ = ["DETECTOR_VERSION"]
