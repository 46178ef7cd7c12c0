"""The language layer: one interface the story engine asks about any language.

``language_for(code)`` gives a ``Language`` profile (stopwords, stems, abbreviations, number
words, calendar words); ``split_sentences(text, language)`` cuts text into sentences in any
script. Everything here is pure and deterministic.
"""

from monitor.lang.profiles import ENGLISH, Language, language_for
from monitor.lang.sentences import split_sentences

__all__ = ["ENGLISH", "Language", "language_for", "split_sentences"]
