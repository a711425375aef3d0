"""credible: a toolkit for human-rights investigations.

Pipeline: document -> link -> count -> assess -> publish. Each stage lives in its own
sub-package and exports a small public API from its ``__init__``.
"""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("credible")
except PackageNotFoundError:  # running from a source tree without installation
    __version__ = "0.0.0+unknown"

__all__ = ["__version__"]
