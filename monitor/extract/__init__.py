"""Article extraction: HTML bytes in, an ``Article`` value out (the only importer of selectolax)."""

from monitor.extract.article import extract_article
from monitor.extract.rules import ExtractRules

__all__ = ["ExtractRules", "extract_article"]
