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

import contextlib
import ctypes.util
import io
import sys
from types import ModuleType


def _load() -> ModuleType:
    if sys.platform.startswith("linux"):
        searching = ctypes.util.find_library
        ctypes.util.find_library = lambda name: None
        try:  # WeasyPrint prints a long message to stdout before a library it needs fails to open
            with contextlib.redirect_stdout(io.StringIO()):
                import weasyprint as loaded
            return loaded
        except OSError:
            pass  # loaded again below, the usual way, which prints that message if it fails too
        finally:
            ctypes.util.find_library = searching
    import weasyprint as loaded

    return loaded


weasyprint = _load()
