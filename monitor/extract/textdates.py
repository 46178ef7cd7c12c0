"""Calendar dates as pages write them in running text, in many languages, read by regex alone.

One compiled pattern finds every written date in a string: ISO-like ``2020-03-17`` (with its
time and UTC offset when given), day-first numbers ``17.03.2020`` / ``17/03/20``, month names
in either order ("17. März 2020", "March 17th, 2020", "3 de maio de 2020", "3 мая 2020 г.",
"17 مارس 2020", "2020. március 17."), and CJK ``2020年3月17日`` / ``2020년 3월 17일``. Month
words are matched as any word and then looked up (``MONTH_NUMBERS``), so the pattern stays a
single fast scan however many languages the table holds.

Only full dates count (day, month and year): a lone year or month is never turned into the
first of the month. Nothing here knows the current date; callers bound what they accept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Final

# Month words, lower-cased, in the forms dates use (genitive where the language declines
# them, common abbreviations without their dot). A word two languages give different months
# ("listopada": October in Croatian, November in Polish) keeps the commoner one.
_MONTH_WORDS: Final = (  # the words of each month, January first, split below
    "january jan januar jänner jaenner janvier janv enero ene janeiro gennaio gen januari "
    "января январь янв січня stycznia ledna leden január ocak ianuarie tammikuuta "
    "ιανουαρίου يناير كانون الثاني ינואר בינואר",
    "february feb februar feber février fevrier févr fevr febrero fevereiro fev febbraio "
    "februari февраля февраль фев лютого lutego února unora únor február şubat subat "
    "februarie helmikuuta φεβρουαρίου فبراير شباط פברואר בפברואר",
    "march mar märz maerz mär mrz mars marzo março marco maart mrt maret марта март мар "
    "березня marca března brezna březen március mart martie maaliskuuta μαρτίου مارس آذار "
    "מרץ במרץ",
    "april apr avril avr abril abr aprile апреля апрель апр квітня kwietnia dubna duben "
    "április nisan aprilie huhtikuuta απριλίου أبريل إبريل ابريل نيسان אפריל באפריל",
    "may mai mayo maio maggio mag mei мая май травня maja května kvetna květen május "
    "mayıs mayis maj toukokuuta μαΐου μαίου مايو أيار ايار מאי במאי",
    "june jun juni juin junio junho giugno giu juni июня июнь июн червня czerwca června "
    "cervna červen június haziran iunie kesäkuuta ιουνίου يونيو يونيه حزيران יוני ביוני",
    "july jul juli juillet juil julio julho luglio lug июля июль июл липня lipca července "
    "cervence červenec július temmuz iulie heinäkuuta ιουλίου يوليو يوليه تموز יולי ביולי",
    "august aug août aout agosto ago augustus agustus августа август авг серпня sierpnia "
    "srpna srpen augusztus ağustos agustos avgust elokuuta αυγούστου أغسطس اغسطس آب "
    "אוגוסט באוגוסט",
    "september sep sept septembre septiembre setiembre setembro set settembre сентября "
    "сентябрь сен сент вересня września wrzesnia září zari szeptember eylül eylul "
    "septembrie septembar syyskuuta σεπτεμβρίου سبتمبر أيلول ايلول ספטמבר בספטמבר",
    "october oct oktober okt octobre octubre outubro out ottobre ott октября октябрь окт "
    "жовтня października pazdziernika října rijna říjen október ekim octombrie oktobar "
    "lokakuuta οκτωβρίου أكتوبر اكتوبر تشرين الأول אוקטובר באוקטובר",
    "november nov novembre noviembre novembro ноября ноябрь нояб ноя листопада listopada "
    "listopadu listopad kasım kasim noiembrie novembar marraskuuta νοεμβρίου نوفمبر "
    "נובמבר בנובמבר",
    "december dec dezember dez décembre decembre déc diciembre dic dezembro dicembre "
    "desember декабря декабрь дек грудня grudnia prosince prosinec aralık aralik "
    "decembrie decembar joulukuuta δεκεμβρίου ديسمبر דצמבר בדצמבר",
)
# Two-word month names (Levantine Arabic), matched as one word with the space folded.
_TWO_WORD_MONTHS: Final = {
    "كانون الثاني": 1,
    "تشرين الأول": 10,
    "تشرين الاول": 10,
    "تشرين الثاني": 11,
    "كانون الأول": 12,
    "كانون الاول": 12,
}
MONTH_NUMBERS: Final[dict[str, int]] = {}
for _number, _words in enumerate(_MONTH_WORDS, 1):
    for _word in _words.split():
        MONTH_NUMBERS.setdefault(_word, _number)
MONTH_NUMBERS.update(_TWO_WORD_MONTHS)
for _single in ("كانون", "تشرين", "الثاني", "الأول", "الاول"):  # halves of the two-word names
    MONTH_NUMBERS.pop(_single, None)

_YEAR: Final = r"(?:199\d|20[0-3]\d)"
_D: Final = r"(?:[12]\d|3[01]|0?[1-9])"
_M: Final = r"(?:1[0-2]|0?[1-9])"
_WORD: Final = r"[^\W\d_]{2,12}(?:\s[^\W\d_]{4,7})?"  # a month word (Arabic ones may be two words)
_ORDINAL: Final = r"(?:\.|st|nd|rd|th|er|º|°|-?го)?"
_TIME: Final = (
    r"(?:[T ]\s?(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)(?::[0-5]\d(?:\.\d+)?)?"
    r"\s?(?P<zone>Z|[+-](?:[01]\d|2[0-3]):?[0-5]\d)?)?"
)
# The alternatives, each with its own named groups; one finditer over the text finds them all.
DATE_PATTERN: Final = re.compile(
    "|".join(
        (
            # 2020-03-17, 2020/03/17, 2020.03.17 (with a time and an offset when written)
            rf"(?<![\d.])(?P<iy>{_YEAR})(?P<isep>[-/.])(?P<im>{_M})(?P=isep)(?P<id>{_D})(?![\d])"
            + _TIME,
            # 17.03.2020, 17/03/20, 26 | 01 | 2022 (day first; month first only when forced)
            rf"(?<![\w.])(?P<nd>{_D})\s?(?P<nsep>[-/.|])\s?(?P<nm>{_D})\s?(?P=nsep)\s?"
            rf"(?P<ny>{_YEAR}|\d\d)(?![\d]|\.\d)",
            # 17. März 2020, 3 de maio de 2020, 1st of May, 2020, 3 мая 2020
            rf"(?<![\d.])(?P<wd>{_D}){_ORDINAL}\s?(?:de\s|of\s)?\s*(?P<wm>{_WORD})\.?,?\s"
            rf"(?:de\s|del\s)?\s*(?P<wy>{_YEAR})(?!\d)",
            # March 17, 2020, Mar. 17th 2020
            rf"(?<![^\W\d_])(?P<mm>{_WORD})\.?\s(?P<md>{_D})(?:st|nd|rd|th)?,?\s(?P<my>{_YEAR})(?!\d)",
            # 2020. március 17. (Hungarian, Lithuanian, …: year first)
            rf"(?<!\d)(?P<yy>{_YEAR})\.?\s(?P<ym>{_WORD})\.?\s(?P<yd>{_D})(?![\d])",
            # 2020年3月17日, 2020년 3월 17일
            rf"(?P<cy>{_YEAR})\s?[年년]\s?(?P<cm>{_M})\s?[月월]\s?(?P<cd>{_D})\s?[日일]",
        )
    ),
    re.IGNORECASE,
)


# Two digits in a row (Arabic-Indic and Persian ones too): every date has them, in its year.
_TWO_DIGITS: Final = re.compile(r"\d\d")
_ANY_DIGIT: Final = re.compile(r"\d")
# Arabic-Indic and Persian digits read as the ASCII ones ("١٧ مارس ٢٠٢٠").
_ASCII_DIGITS: Final = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)


@dataclass(frozen=True, slots=True)
class WrittenDate:
    """A date found in text: the calendar day as written, and the moment when the text gave
    a time with its UTC offset (``2020-06-07T23:30-04:00`` stays June 7, 23:30 at -04:00)."""

    day: date
    moment: datetime | None


def written_dates(text: str, start: int = 0, end: int | None = None) -> Iterator[WrittenDate]:
    """Every full calendar date written in ``text[start:end]``, in order."""
    end = len(text) if end is None else end
    if _TWO_DIGITS.search(text, start, end) is None:
        return  # every date has a year, of two digits at least (most bylines hold none)
    if not text.isascii():
        text = text.translate(_ASCII_DIGITS)  # one character for one: positions stay
    search = DATE_PATTERN.search
    match = search(text, start, end)
    while match is not None:
        found = _read(match)
        if found is not None:
            yield found
            match = search(text, match.end(), end)
        else:  # a word that is no month ("Posted May 3, 2020" read as "Posted May"): look on
            match = search(text, match.start() + 1, end)


def first_written_date(text: str) -> WrittenDate | None:
    """The first full date written in ``text``."""
    return next(written_dates(text), None)


def month_number(word: str) -> int | None:
    """The month a word names in any of the table's languages ("März" → 3), else None."""
    folded = " ".join(word.casefold().split()).rstrip(".")
    return MONTH_NUMBERS.get(folded)


def _read(match: re.Match[str]) -> WrittenDate | None:
    groups = match.groupdict()
    moment = None
    if groups["iy"]:
        year, month, day = int(groups["iy"]), int(groups["im"]), int(groups["id"])
        moment = _moment(groups, year, month, day)
    elif groups["ny"]:
        day, month, year = int(groups["nd"]), int(groups["nm"]), _full_year(groups["ny"])
        if month > 12 >= day:  # "03/17/2020": month first, the only reading that is a date
            day, month = month, day
    elif groups["wy"]:
        number = month_number(groups["wm"])
        if number is None:
            return None
        day, month, year = int(groups["wd"]), number, int(groups["wy"])
    elif groups["my"]:
        number = month_number(groups["mm"])
        if number is None:
            return None
        day, month, year = int(groups["md"]), number, int(groups["my"])
    elif groups["yy"]:
        number = month_number(groups["ym"])
        if number is None:
            return None
        day, month, year = int(groups["yd"]), number, int(groups["yy"])
    else:
        year, month, day = int(groups["cy"]), int(groups["cm"]), int(groups["cd"])
    try:
        return WrittenDate(date(year, month, day), moment)
    except ValueError:  # 31 February
        return None


def _full_year(digits: str) -> int:
    year = int(digits)
    if year >= 100:
        return year
    return year + (1900 if year >= 90 else 2000)


def _moment(groups: dict[str, str | None], year: int, month: int, day: int) -> datetime | None:
    """The written moment when a time with a UTC offset follows the date, else None."""
    zone, hour, minute = groups["zone"], groups["hour"], groups["minute"]
    if zone is None or hour is None or minute is None:
        return None
    if zone.upper() == "Z":
        offset = timedelta(0)
    else:
        digits = zone[1:].replace(":", "")
        offset = timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        offset = -offset if zone[0] == "-" else offset
    try:
        return datetime(year, month, day, int(hour), int(minute), tzinfo=timezone(offset))
    except ValueError:
        return None


# A day and a month without a year, as bylines of recent news write them ("Publié le 3 mai",
# "17. März, 10:00", "May 3", "3月17日"); the caller supplies the year from the fetch time.
YEARLESS_PATTERN: Final = re.compile(
    "|".join(
        (
            rf"(?<![\d.])(?P<wd>{_D}){_ORDINAL}\s?(?:de\s|of\s)?\s*(?P<wm>{_WORD})(?![^\W\d_]|\.?,?\s*\d{{3}})",
            rf"(?<![^\W\d_])(?P<mm>{_WORD})\.?\s(?P<md>{_D})(?:st|nd|rd|th)?(?![\d:.])",
            rf"(?<!\d)(?P<cm>{_M})\s?[月월]\s?(?P<cd>{_D})\s?[日일]",
        )
    ),
    re.IGNORECASE,
)


def first_yearless_date(text: str) -> tuple[int, int] | None:
    """The first (month, day) written without a year in ``text``, or None."""
    if _ANY_DIGIT.search(text) is None:
        return None  # every such date has a day
    if not text.isascii():
        text = text.translate(_ASCII_DIGITS)
    position = 0
    while (match := YEARLESS_PATTERN.search(text, position)) is not None:
        groups = match.groupdict()
        if groups["cm"]:
            return int(groups["cm"]), int(groups["cd"])
        word, day = (groups["wm"], groups["wd"]) if groups["wd"] else (groups["mm"], groups["md"])
        month = month_number(word) or month_number(word.split()[-1])
        if month is not None:
            return month, int(day)
        position = match.start() + 1
    return None
