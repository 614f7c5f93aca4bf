"""The `weasyprint` module, loaded without the compiler runs that make loading it slow on Linux.

WeasyPrint opens each C library it uses (Pango, HarfBuzz, fontconfig...) by
trying several names in turn, and cffi hands every name that is not a file to
`ctypes.util.find_library`, which on Linux runs ldconfig, gcc and ld for it:
about twenty programs, a quarter of a second of every build process's start
(WeasyPrint issue #1125). Among the names WeasyPrint tries are the libraries'
sonames (`libpango-1.0.so.0`), which the system's dynamic loader finds by
itself, as it finds any library a program links to. So the libraries are
opened with `find_library` answering "not found" -- the loader then opens each
one by its soname -- and loading falls back to WeasyPrint's own way if that
fails (a system whose libraries go by other names). Import `weasyprint` from here.
"""

from __future__ import annotations

import ctypes.util
import sys
from types import ModuleType


def _load() -> ModuleType:
    if sys.platform.startswith("linux"):
        searching = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        # The answer is the whole process's while WeasyPrint loads (perhaps in the thread laying out the
        # PDF): nothing else in issuepress looks for libraries.
        try:
            import weasyprint as loaded

            return loaded
        except OSError:
            pass  # loaded again below, the usual way
        finally:
            ctypes.util.find_library = searching
    import weasyprint as loaded

    return loaded


weasyprint = _load()
