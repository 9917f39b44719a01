"""The codebook: priority areas (codes), their descriptions, lexicon terms and examples, and the questions.

The codebook is YAML an analyst can edit (``config/codebook.yaml``; any file in the same format works,
for example a later consultation's). Only ``id`` is required per code (``name`` defaults to it);
``description``, ``include``, ``exclude``, ``subthemes``, ``terms`` (``{en: [...], cy: [...]}``) and ``examples``
(same shape) are optional. A codebook can also be built from bare code ids
(:meth:`Codebook.from_labels`) when the codes are learned from analyst-coded statements alone;
a code with only an ``id`` is allowed and is then learned from labelled statements only.

Used by the coding stage (``python -m pipeline code``), topics and plan-check::

    from pipeline.coding.codebook import load_codebook
    cb = load_codebook()            # config/codebook.yaml
    cb.ids                          # ['PA1', ..., 'PA7']
    cb.describe("PA6")              # 'Promote fairness: Criminal justice organisations ...'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pipeline import config
from pipeline.errors import ConfigError  # one error base class (issue 14)
from pipeline.settings import load_vocabularies

#: Code of a statement that fits no code in the codebook.
UNCODED = "uncoded"
#: Question ids a codebook's ``questions`` may use.
QUESTION_IDS = tuple(load_vocabularies().answerable_questions)  # config/questions.yaml, then "other"
DEFAULT_PATH = config.CONFIG_DIR / "codebook.yaml"


class CodebookError(ConfigError):
    """The codebook file is missing or malformed; the message names the field and says how to fix it."""


@dataclass(frozen=True)
class Subtheme:
    """A finer theme inside a code, recognised by its lexicon terms."""

    id: str
    name: str
    terms: tuple[str, ...] = ()


@dataclass(frozen=True)
class Code:
    """One code of the codebook (a priority area).

    Attributes:
        id: Short id used in every table (``PA1``).
        name: Human name (``Challenge racism``).
        description: What the code is about, in the plan's own words ("" for a label-only code).
        include: Notes on what belongs to the code.
        exclude: Notes on what does not.
        subthemes: Finer themes inside the code.
        terms: Lexicon phrases per language (``{"en": [...], "cy": [...]}``), lower case.
        examples: Example statements per language.
    """

    id: str
    name: str
    description: str = ""
    include: str = ""
    exclude: str = ""
    subthemes: tuple[Subtheme, ...] = ()
    terms: dict[str, list[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    def all_terms(self) -> list[str]:
        """Every lexicon phrase of the code and its subthemes, all languages, de-duplicated, in order."""
        seen: dict[str, None] = {}
        for terms in self.terms.values():
            seen.update(dict.fromkeys(terms))
        for sub in self.subthemes:
            seen.update(dict.fromkeys(sub.terms))
        return list(seen)

    def all_examples(self) -> list[tuple[str, str]]:
        """Every example as ``(language, text)``, in file order."""
        return [(lang, ex) for lang, exs in self.examples.items() for ex in exs]


#: Wording of a stance where the codebook gives none for a question.
DEFAULT_STANCE_PHRASES = {"agree": "agrees", "disagree": "disagrees", "mixed": "partly agrees", "unclear": "does not say"}


@dataclass(frozen=True)
class Question:
    """One consultation question with a description, cue words and examples for inferring it."""

    id: str
    name: str
    description: str = ""
    cues: dict[str, list[str]] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)
    stances: dict[str, str] = field(default_factory=dict)
    stance_examples: dict[str, list[str]] = field(default_factory=dict)

    def stance_phrase(self, stance: str) -> str:
        """What a stance means for this question, in words a reader understands ("says CJIW has not listened")."""
        return self.stances.get(stance) or DEFAULT_STANCE_PHRASES.get(stance, stance)


@dataclass(frozen=True)
class Codebook:
    """A list of codes and the consultation's questions."""

    name: str
    codes: tuple[Code, ...]
    questions: tuple[Question, ...] = ()
    version: str = ""
    #: Statements that fit no code, per language (negative training examples).
    uncoded_examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        """The code ids in codebook order."""
        return [c.id for c in self.codes]

    @property
    def has_descriptions(self) -> bool:
        """True when at least one code has a description, terms or examples (more than a bare id)."""
        return any(c.description or c.terms or c.examples for c in self.codes)

    def code(self, code_id: str) -> Code:
        """Return the code with this id.

        Raises:
            KeyError: If the codebook has no such code.
        """
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(f"The codebook {self.name!r} has no code {code_id!r}; its codes are {', '.join(self.ids)}.")

    def name_of(self, code_id: str) -> str:
        """Human name of a code (the id itself for ``uncoded`` or an unknown id)."""
        try:
            return self.code(code_id).name
        except KeyError:
            return code_id

    def describe(self, code_id: str) -> str:
        """The code's name and description as one text (used for embedding similarity)."""
        c = self.code(code_id)
        return f"{c.name}: {c.description}".strip().rstrip(":") if c.description else c.name

    def question(self, question_id: str) -> Question:
        """Return the question with this id (``KeyError`` if absent)."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"The codebook {self.name!r} has no question {question_id!r}.")

    @classmethod
    def from_labels(cls, ids: Iterable[str], name: str = "codes learned from labels") -> Codebook:
        """A codebook of bare ids (no descriptions), e.g. the codes a training file uses.

        Args:
            ids: Code ids; duplicates and ``uncoded``/``none``/blank are ignored; sorted.
            name: Name of the codebook.
        """
        clean = sorted({str(i).strip() for i in ids} - {"", UNCODED, "none", "nan"})
        if not clean:
            raise CodebookError("No code ids were found to build a codebook from: the training file's `codes` column is empty.")
        return cls(name=name, codes=tuple(Code(id=i, name=i) for i in clean))

    def to_dict(self) -> dict[str, Any]:
        """A plain dict (for recording the codebook a run used)."""
        return {
            "name": self.name,
            "version": self.version,
            "codes": [
                {
                    "id": c.id,
                    "name": c.name,
                    "description": c.description,
                    "n_terms": len(c.all_terms()),
                    "n_examples": len(c.all_examples()),
                }
                for c in self.codes
            ],
        }


def _lang_lists(value: Any, where: str) -> dict[str, list[str]]:
    """Parse ``{en: [...], cy: [...]}`` (or a bare list, taken as English) into lower-trimmed lists."""
    if value is None:
        return {}
    if isinstance(value, list):
        value = {"en": value}
    if not isinstance(value, Mapping):
        raise CodebookError(f"{where} should be a list, or lists per language like `en: [...]` and `cy: [...]`.")
    out: dict[str, list[str]] = {}
    for lang, items in value.items():
        if items is None:
            continue
        if not isinstance(items, list):
            raise CodebookError(f"{where}.{lang} should be a list of phrases in square brackets or '- ' lines.")
        out[str(lang)] = [str(i).strip() for i in items if str(i).strip()]
    return out


def _text(spec: Mapping[str, Any], key: str, where: str, required: bool = False) -> str:
    value = spec.get(key)
    if value is None or str(value).strip() == "":
        if required:
            raise CodebookError(f"{where} has no `{key}`: add `{key}: ...` (every code and question needs an id).")
        return ""
    if isinstance(value, (list, dict)):
        raise CodebookError(f"{where}.{key} should be plain text, not a list or mapping.")
    return " ".join(str(value).split())


def _parse_code(spec: Any, where: str, source: str, seen: set[str]) -> Code:
    """One code of the codebook, checked (``seen`` collects the ids so far, to refuse repeats)."""
    if not isinstance(spec, Mapping):
        raise CodebookError(f"{where} should be a mapping with `id`, `name` and `description`.")
    cid = _text(spec, "id", where, required=True)
    where = f"{source}: code {cid}"
    if cid in seen:
        raise CodebookError(f"{where} appears twice: code ids must be unique.")
    if cid.lower() in {UNCODED, "none"} or ";" in cid:
        raise CodebookError(f"{where}: the id may not be 'uncoded' or 'none' or contain ';'.")
    seen.add(cid)
    subs = []
    for j, sub in enumerate(spec.get("subthemes") or [], start=1):
        if not isinstance(sub, Mapping) or not sub.get("id"):
            raise CodebookError(f"{where}.subthemes number {j} needs an `id` (e.g. {cid}.stop_search).")
        terms = _lang_lists(sub.get("terms"), f"{where}.subthemes.{sub['id']}.terms")
        subs.append(Subtheme(id=str(sub["id"]), name=_text(sub, "name", f"{where}.subthemes") or str(sub["id"]),
                             terms=tuple(t.lower() for ts in terms.values() for t in ts)))
    terms = {k: [t.lower() for t in v] for k, v in _lang_lists(spec.get("terms"), f"{where}.terms").items()}
    return Code(id=cid, name=_text(spec, "name", where) or cid, description=_text(spec, "description", where),
                include=_text(spec, "include", where), exclude=_text(spec, "exclude", where), subthemes=tuple(subs),
                terms=terms, examples=_lang_lists(spec.get("examples"), f"{where}.examples"))


def _parse_question(spec: Any, where: str) -> Question:
    """One question of the codebook (its cues, examples and stance wording), checked."""
    if not isinstance(spec, Mapping):
        raise CodebookError(f"{where} should be a mapping with `id`, `name` and `description`.")
    qid = _text(spec, "id", where, required=True)
    if qid not in QUESTION_IDS:
        raise CodebookError(f"{where} has id {qid!r}; question ids must be one of {', '.join(QUESTION_IDS)}.")
    return Question(
        id=qid, name=_text(spec, "name", where) or qid, description=_text(spec, "description", where),
        cues={k: [t.lower() for t in v] for k, v in _lang_lists(spec.get("cues"), f"{where}.cues").items()},
        examples=_lang_lists(spec.get("examples"), f"{where}.examples"),
        stances={str(k): str(v) for k, v in (spec.get("stances") or {}).items()},
        stance_examples={str(k): [str(x) for x in v] for k, v in (spec.get("stance_examples") or {}).items()},
    )


def parse_codebook(data: Mapping[str, Any], source: str = "the codebook") -> Codebook:
    """Build a :class:`Codebook` from parsed YAML, checking every field.

    Args:
        data: The YAML mapping.
        source: Where it came from (for messages).

    Raises:
        CodebookError: Naming the field that is missing or wrong.
    """
    if not isinstance(data, Mapping):
        raise CodebookError(f"{source} should be a YAML mapping with `name` and `codes`.")
    raw_codes = data.get("codes")
    if not isinstance(raw_codes, list) or not raw_codes:
        raise CodebookError(f"{source} has no `codes` list: add a `codes:` section with one `- id: ...` entry per code.")
    codes: list[Code] = []
    seen: set[str] = set()
    for i, spec in enumerate(raw_codes, start=1):
        codes.append(_parse_code(spec, f"{source}: code number {i}", source, seen))
    questions = [_parse_question(spec, f"{source}: question number {i}")
                 for i, spec in enumerate(data.get("questions") or [], start=1)]
    return Codebook(
        name=str(data.get("name") or source),
        codes=tuple(codes),
        questions=tuple(questions),
        version=str(data.get("version") or ""),
        uncoded_examples=_lang_lists(data.get("uncoded_examples"), f"{source}: uncoded_examples"),
    )


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Load and check a codebook YAML file.

    Args:
        path: The file; default ``config/codebook.yaml``.

    Returns:
        The codebook.

    Raises:
        CodebookError: If the file is missing, not YAML, or a field is missing or wrong (the message
            names the field and what to do).
    """
    path = Path(path) if path is not None else DEFAULT_PATH
    if not path.exists():
        raise CodebookError(f"The codebook {path} does not exist. Give the path of a codebook YAML file (see config/codebook.yaml).")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CodebookError(f"The codebook {path} is not valid YAML ({exc}). Check the indentation near the line it names.") from exc
    return parse_codebook(data, source=f"the codebook {path.name}")
