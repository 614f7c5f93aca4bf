"""The printer's package: PDF/X-4 for a named press condition, CMYK colour, a print shop's preflight, covers.

`conditions` names the output condition and finds its profile; `inks` and `images` turn the layouts'
RGB into the press's CMYK; `pdfx` writes the output intent and metadata; `cover` sets the cover spread
with its spine; `package` gathers what a printer is sent; `conformance` and `separations` check it.
"""
