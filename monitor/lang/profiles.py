"""What the engine knows about each language: stopwords, stems, abbreviations, numbers, calendar.

One ``Language`` value per language code, built once and cached. Stopwords come from
``stopwordsiso`` and stems from the Snowball stemmers of ``PyStemmer``; what no package offers
(abbreviations that do not end a sentence, number words, whether ordinals are written "1.", the
decimal mark) is written here, per language, as data. English keeps the engine's own light stem
(plural and possessive endings only), which story matching was measured with.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer
import stopwordsiso


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of ``text``, as a set."""
    return frozenset(text.split())


def _numbered(text: str, start: int = 0) -> dict[str, str]:
    """Words mapped to consecutive values from ``start`` ("zero one two" → 0, 1, 2)."""
    return {word: str(value) for value, word in enumerate(text.split(), start)}


def english_stem(word: str) -> str:
    """A light, deterministic stem: plural and possessive endings only."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def english_name_stem(word: str) -> str:
    """The stem of a word of a name: a plural goes ("Palestinians", "Hostages"), but "-as" and
    "-os", rare as plurals of names, are the name's own ("Hamas", "Texas", "Carlos")."""
    return word if word.endswith(("as", "os")) else english_stem(word)


_HEBREW_PREFIXES = "והבלמשכ"


def hebrew_stem(word: str) -> str:
    """Light Hebrew stemming: up to two of the one-letter prefixes written onto a word (and,
    the, in, to, from, that, as: "ובעזה" → "עזה") go, keeping at least three letters."""
    for _ in range(2):
        if len(word) > 3 and word[0] in _HEBREW_PREFIXES:
            word = word[1:]
    return word


def _same(word: str) -> str:
    return word


@dataclass(frozen=True, slots=True)
class Language:
    """The per-language data the text units are cut with. ``code`` is an ISO 639-1 code."""

    code: str
    stopwords: frozenset[str] = frozenset()
    abbreviations: frozenset[str] = frozenset()
    sentence_starters: frozenset[str] = frozenset()
    calendar_words: frozenset[str] = frozenset()
    number_words: Mapping[str, str] = field(default_factory=dict)
    name_connectors: frozenset[str] = frozenset()
    # Short forms that may end a sentence but are never followed by one in lower case.
    short_forms: frozenset[str] = frozenset()
    # Where every noun is capitalised: the articles and contractions that mark a common noun.
    noun_markers: frozenset[str] = frozenset()
    ordinal_dot: bool = False  # "am 1. Mai": a number followed by a full stop is an ordinal
    decimal_comma: bool = False  # "3,5" is three and a half, "1.000" a thousand
    stem: Callable[[str], str] = _same
    name_stem: Callable[[str], str] = _same  # names are not stemmed unless the language says

    @property
    def is_english(self) -> bool:
        return self.code == "en"


ENGLISH_ABBREVIATIONS = word_set(
    """mr mrs ms dr prof sr jr st mt ft gen lt col maj capt sgt cpl adm cmdr gov sen rep rev hon
    pres supt insp det no nos vs etc inc corp ltd co bros dept univ jan feb mar apr jun jul aug
    sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun approx est fig al
    ave blvd rd e.g i.e a.m p.m u.s u.k u.n u.s.a e.u"""
)
ENGLISH_SENTENCE_STARTERS = word_set(
    """the a an he she it they we i you this that these those his her its their our but and
    yet so however meanwhile still in on at for as if when while after before there here
    then now officials police"""
)
ENGLISH_STOPWORDS = word_set(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves said says say told according would could may might must shall since
    per via among amid within without across around upon onto one two three new like just
    s t don didn doesn isn wasn weren won wouldn couldn shouldn ve ll re d m"""
)
ENGLISH_CALENDAR = word_set(
    """monday tuesday wednesday thursday friday saturday sunday january february march april may
    june july august september october november december today yesterday tomorrow"""
)
ENGLISH_NUMBERS = _numbered(
    """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
    fifteen sixteen seventeen eighteen nineteen twenty"""
)
ENGLISH_NUMBERS.update(thirty="30", forty="40", fifty="50", hundred="100", dozens="dozens")

# Abbreviations that do not end a sentence (lower case, without the final full stop), number
# words (articles such as "ein", "un", "um" are left out: they are not counts), calendar words.
_LOCAL: dict[str, dict[str, object]] = {
    "de": {
        "abbreviations": """bzw ca dr prof nr str abs abb bd hr fr frl jh jhd mio mrd tsd usw vgl
            sog z.b d.h u.a o.ä z.t s.o u.ä evtl ggf inkl zzgl max min gegr geb gest st""",
        "numbers": """null _ zwei drei vier fünf sechs sieben acht neun zehn elf zwölf dreizehn
            vierzehn fünfzehn sechzehn siebzehn achtzehn neunzehn zwanzig""",
        "tens": {
            "dreißig": "30",
            "vierzig": "40",
            "fünfzig": "50",
            "hundert": "100",
            "tausend": "1000",
            "dutzende": "dozens",
        },
        "calendar": """montag dienstag mittwoch donnerstag freitag samstag sonntag januar
            februar märz april mai juni juli august september oktober november dezember heute
            gestern morgen""",
        "connectors": "von van de zu",
        "ordinal_dot": True,
        "decimal_comma": True,
        "noun_markers": """der die das den dem des ein eine einen einem einer eines am im zum zur
            vom beim ins ans kein keine keinen keiner diese dieser diesen dieses jede jeder jedes
            alle allen mehrere viele einige beiden""",
    },
    "fr": {
        "abbreviations": """m mm mme mmes mlle dr pr st ste av bd env etc p.ex c.-à-d cf vol
            n° no art chap éd""",
        "numbers": """zéro _ deux trois quatre cinq six sept huit neuf dix onze douze treize
            quatorze quinze seize dix-sept dix-huit dix-neuf vingt""",
        "tens": {
            "trente": "30",
            "quarante": "40",
            "cinquante": "50",
            "cent": "100",
            "mille": "1000",
            "dizaines": "dozens",
        },
        "calendar": """lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars
            avril mai juin juillet août septembre octobre novembre décembre aujourd'hui hier
            demain""",
        "connectors": "de du des la le d",
        "decimal_comma": True,
    },
    "es": {
        "abbreviations": """sr sra srta dr dra ud uds lic ing av avda etc pág núm no art cap
            vol ee.uu""",
        "numbers": """cero _ dos tres cuatro cinco seis siete ocho nueve diez once doce trece
            catorce quince dieciséis diecisiete dieciocho diecinueve veinte""",
        "tens": {
            "treinta": "30",
            "cuarenta": "40",
            "cincuenta": "50",
            "cien": "100",
            "mil": "1000",
            "decenas": "dozens",
        },
        "calendar": """lunes martes miércoles jueves viernes sábado domingo enero febrero marzo
            abril mayo junio julio agosto septiembre octubre noviembre diciembre hoy ayer
            mañana""",
        "connectors": "de del la las los",
        "decimal_comma": True,
    },
    "pt": {
        "abbreviations": """sr sra srta dr dra av etc pág núm no art cap vol prof eng""",
        "numbers": """zero _ dois três quatro cinco seis sete oito nove dez onze doze treze
            catorze quinze dezesseis dezessete dezoito dezenove vinte""",
        "tens": {
            "trinta": "30",
            "quarenta": "40",
            "cinquenta": "50",
            "cem": "100",
            "mil": "1000",
            "dezenas": "dozens",
            "duas": "2",
        },
        "calendar": """segunda-feira terça-feira quarta-feira quinta-feira sexta-feira sábado
            domingo janeiro fevereiro março abril maio junho julho agosto setembro outubro
            novembro dezembro hoje ontem amanhã""",
        "connectors": "de da do das dos",
        "decimal_comma": True,
    },
    "it": {
        "abbreviations": "sig sigg dott prof avv ing ecc pag art n",
        "numbers": """zero _ due tre quattro cinque sei sette otto nove dieci undici dodici""",
        "tens": {"venti": "20", "trenta": "30", "cento": "100", "mille": "1000"},
        "connectors": "di del della de",
        "decimal_comma": True,
    },
    "nl": {
        "abbreviations": "dhr mevr dr prof nr bijv o.a m.a.w d.w.z enz",
        "numbers": """nul _ twee drie vier vijf zes zeven acht negen tien elf twaalf""",
        "connectors": "van der de den ter",
        "decimal_comma": True,
    },
    "ru": {
        "abbreviations": """г гг т.е т.д т.п им ул д пр млн млрд тыс руб см др ок т.к т.н
            акад проф""",
        "numbers": """ноль один два три четыре пять шесть семь восемь девять десять
            одиннадцать двенадцать""",
        "tens": {
            "двадцать": "20",
            "тридцать": "30",
            "сорок": "40",
            "пятьдесят": "50",
            "сто": "100",
            "тысяча": "1000",
            "двое": "2",
            "трое": "3",
            "две": "2",
            "одна": "1",
            "десятки": "dozens",
        },
        "calendar": """понедельник вторник среда четверг пятница суббота воскресенье января
            февраля марта апреля мая июня июля августа сентября октября ноября декабря
            сегодня вчера завтра""",
        "decimal_comma": True,
    },
    "zh": {"calendar": "年 月 日 号 时 点"},
    "ja": {"calendar": "年 月 日 時"},
    "ko": {"calendar": "년 월 일 시"},
    "uk": {"abbreviations": "р рр т.д т.п ім вул млн млрд тис грн", "decimal_comma": True},
    "pl": {
        "abbreviations": "np nr tzw ul godz mln mld tys prof dr",
        "ordinal_dot": True,
        "decimal_comma": True,
    },
    "cs": {
        "abbreviations": "např tzv mld mil tis prof dr",
        "ordinal_dot": True,
        "decimal_comma": True,
    },
    "tr": {"abbreviations": "dr prof doç vb vs", "ordinal_dot": True, "decimal_comma": True},
    "da": {"ordinal_dot": True, "decimal_comma": True},
    "no": {"ordinal_dot": True, "decimal_comma": True},
    "fi": {"ordinal_dot": True, "decimal_comma": True},
    "hu": {"ordinal_dot": True, "decimal_comma": True},
    "sv": {"decimal_comma": True},
    "ar": {
        "numbers": """صفر واحد اثنان ثلاثة أربعة خمسة ستة سبعة ثمانية تسعة عشرة""",
        "tens": {
            "اثنين": "2",
            "عشرين": "20",
            "ثلاثين": "30",
            "مئة": "100",
            "مائة": "100",
            "ألف": "1000",
            "عشرات": "dozens",
        },
        "connectors": "بن ال",
        "decimal_comma": True,
    },
    "he": {
        "numbers": """אפס אחד שניים שלושה ארבעה חמישה שישה שבעה שמונה תשעה עשרה""",
        "tens": {
            "שני": "2",
            "שתי": "2",
            "שלוש": "3",
            "ארבע": "4",
            "חמש": "5",
            "עשרים": "20",
            "שלושים": "30",
            "מאה": "100",
            "אלף": "1000",
            "עשרות": "dozens",
        },
    },
}
_SNOWBALL = {
    "ar": "arabic",
    "ca": "catalan",
    "cs": "czech",
    "da": "danish",
    "de": "german",
    "el": "greek",
    "es": "spanish",
    "eu": "basque",
    "fa": "persian",
    "fi": "finnish",
    "fr": "french",
    "ga": "irish",
    "hi": "hindi",
    "hu": "hungarian",
    "hy": "armenian",
    "id": "indonesian",
    "it": "italian",
    "lt": "lithuanian",
    "ne": "nepali",
    "nl": "dutch",
    "no": "norwegian",
    "pl": "polish",
    "pt": "portuguese",
    "ro": "romanian",
    "ru": "russian",
    "sr": "serbian",
    "sv": "swedish",
    "ta": "tamil",
    "tr": "turkish",
    "et": "estonian",
}
# Languages whose stopword list is too thin to tell a sentence start from a name start.
_EXTRA_STOPWORDS = {"he": "של את על עם גם כי אבל הוא היא הם לא זה זו אשר", "ja": "", "zh": ""}


def _stemmer(code: str) -> Callable[[str], str]:
    if code == "he":
        return hebrew_stem
    algorithm = _SNOWBALL.get(code)
    if algorithm is None:
        return _same
    stemmer = Stemmer.Stemmer(algorithm)
    stemmer.maxCacheSize = 50_000
    stem_word: Callable[[str], str] = stemmer.stemWord
    return stem_word


def _stopwords(code: str) -> frozenset[str]:
    found = stopwordsiso.stopwords(code) if stopwordsiso.has_lang(code) else set()
    return frozenset(w.lower() for w in found) | word_set(_EXTRA_STOPWORDS.get(code, ""))


def _number_words(local: Mapping[str, object]) -> dict[str, str]:
    numbers = {w: v for w, v in _numbered(str(local.get("numbers", ""))).items() if w != "_"}
    tens = local.get("tens", {})
    assert isinstance(tens, dict)
    numbers.update(tens)
    return numbers


ENGLISH = Language(
    code="en",
    stopwords=ENGLISH_STOPWORDS,
    abbreviations=ENGLISH_ABBREVIATIONS,
    sentence_starters=ENGLISH_SENTENCE_STARTERS,
    calendar_words=ENGLISH_CALENDAR,
    number_words=ENGLISH_NUMBERS,
    name_connectors=frozenset({"el", "al", "de", "da", "di", "van", "von", "bin", "of"}),
    short_forms=word_set(
        """ala ariz ark calif colo conn del fla ill ind kan ky md mass mich minn miss mont neb
        nev okla ore penn tenn tex wash wis wyo corp inc ltd bros assn natl intl govt"""
    ),
    stem=english_stem,
    name_stem=english_name_stem,
)


@lru_cache(maxsize=256)
def language_for(code: str | None) -> Language:
    """The profile of the language ``code`` ("de", "pt-BR", "zh-Hant"); English when unknown."""
    primary = (code or "en").split("-")[0].split("_")[0].lower()
    if primary in ("", "en") or not primary.isalpha():
        return ENGLISH
    if primary == "iw":
        primary = "he"
    local = _LOCAL.get(primary, {})
    stopwords = _stopwords(primary)
    return Language(
        code=primary,
        stopwords=stopwords,
        abbreviations=word_set(str(local.get("abbreviations", ""))),
        sentence_starters=stopwords,
        calendar_words=word_set(str(local.get("calendar", ""))),
        number_words=_number_words(local),
        name_connectors=word_set(str(local.get("connectors", ""))),
        noun_markers=word_set(str(local.get("noun_markers", ""))),
        ordinal_dot=bool(local.get("ordinal_dot", False)),
        decimal_comma=bool(local.get("decimal_comma", False)),
        stem=_stemmer(primary),
    )
