"""Scripts: which characters are written without spaces between words, and which have case.

Chinese, Japanese and Thai run words together; Arabic, Hebrew and the CJK scripts have no capital
letters. The engine asks these questions of the text itself, so a page whose language is unknown
or mislabelled is still cut into sensible units.
"""

from __future__ import annotations

import re

# Han ideographs (incl. extension A and compatibility), kana, Hangul syllables, Thai, Lao, Khmer,
# Myanmar: the scripts where a character (or a pair of them) is the practical unit of a word.
UNSPACED_CHARS = (
    "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\u0e00-\u0e7f\u0e80-\u0eff\u1780-\u17ff\u1000-\u109f"
)
HANGUL_CHARS = "\uac00-\ud7af"
UNSPACED = re.compile(f"[{UNSPACED_CHARS}]")
_UNCASED_LETTERS = re.compile(
    f"[\u0590-\u05ff\u0600-\u06ff\u0750-\u077f\u0900-\u097f{UNSPACED_CHARS}{HANGUL_CHARS}]"
)


def is_unspaced(char: str) -> bool:
    """Whether ``char`` belongs to a script written without spaces between words."""
    return bool(UNSPACED.match(char))


def starts_uncased(text: str) -> bool:
    """Whether ``text`` starts with a letter of a script that has no capital letters."""
    return bool(_UNCASED_LETTERS.match(text))
