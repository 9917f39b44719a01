"""Typed, frozen views of the analyst's configuration (``config/``), loaded once per folder.

The YAML files under ``config/`` are the only place a value is set; this module gives the code a
typed, read-only view of them, so that no stage re-types a vocabulary or a default:

* :class:`Vocabularies`: the questions (``config/questions.yaml``), cohorts, police force areas,
  engagement methods and languages (``config/vocabularies.yaml``) and the priority areas
  (``config/codebook.yaml``), each with the ids the tables hold.
* :class:`Settings`: ``config/settings.yaml`` as a frozen mapping, with :meth:`Settings.value`
  reading a dotted key that must be present (a missing key is a :class:`~pipeline.config.ConfigError`,
  never a silent default written somewhere in the code).
* :func:`defaults`: another settings file of the default config folder (``plancheck.yaml``), read-only,
  for the defaults of functions called without settings (each default is written in the YAML only).
* :func:`lookup`: a dotted key of a settings dict a function was given, or, when that dict lacks it,
  of the same file in the default config folder (so a function has no default of its own).

Usage::

    from pipeline.settings import load_settings
    s = load_settings()                      # config/ (or CJIW_CONFIG_DIR), read once
    s.vocab.questions                        # ('listened', 'interpreted', 'solutions', 'other', 'unknown')
    s.value("disclosure.min_count")          # 5
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from pipeline import config
from pipeline.config import ConfigError

__all__ = ["UNKNOWN", "OTHER_QUESTION", "STANCES", "SPEAKERS", "Settings", "Vocabularies", "defaults", "load_settings",
           "load_vocabularies", "lookup"]

#: The value every vocabulary column holds when nothing matched.
UNKNOWN = "unknown"
#: The question of an answer that is about none of the consultation's questions.
OTHER_QUESTION = "other"
#: Stances the coder gives (their wording per question is in ``config/codebook.yaml``).
STANCES: tuple[str, ...] = ("agree", "disagree", "mixed", "unclear")
#: Who said a line.
SPEAKERS: tuple[str, ...] = ("participant", "facilitator")


@dataclass(frozen=True)
class Vocabularies:
    """The controlled vocabularies of the tables, from the config folder.

    Attributes:
        questions: The question ids of ``config/questions.yaml``, then ``other`` (if not listed there)
            and ``unknown``.
        cohorts: Cohort ids, then ``unknown``.
        police_force_areas: Police force area names (including the whole-country name), then ``unknown``.
        forces: The police force areas proper (without the whole-country name and ``unknown``).
        all_wales: The whole-country name (the area marked ``whole_country: true``).
        engagement_methods: Engagement method ids, then ``unknown``.
        languages: Language ids.
        priority_areas: Priority-area id -> name, in codebook order.
    """

    questions: tuple[str, ...]
    cohorts: tuple[str, ...]
    police_force_areas: tuple[str, ...]
    forces: tuple[str, ...]
    all_wales: str
    engagement_methods: tuple[str, ...]
    languages: tuple[str, ...]
    priority_areas: Mapping[str, str]

    @property
    def answerable_questions(self) -> tuple[str, ...]:
        """The questions a statement can be placed on: the consultation's and ``other`` (not ``unknown``)."""
        return tuple(q for q in self.questions if q != UNKNOWN)

    @property
    def consultation_questions(self) -> tuple[str, ...]:
        """The questions asked (without ``other`` and ``unknown``)."""
        return tuple(q for q in self.questions if q not in (OTHER_QUESTION, UNKNOWN))


def _keys(data: Mapping[str, Any], key: str, path: Path) -> list[str]:
    section = data.get(key)
    if not isinstance(section, Mapping) or not section:
        raise ConfigError(f"{path} has no '{key}' section (a mapping of ids). Restore it from git.")
    return [str(k) for k in section]


def _whole_country(areas: Mapping[str, Any], path: Path) -> str:
    marked = [str(k) for k, v in areas.items() if isinstance(v, Mapping) and v.get("whole_country")]
    if len(marked) != 1:
        raise ConfigError(f"{path}: exactly one police force area must be marked `whole_country: true` "
                          f"(the name used for figures about all of Wales); found {len(marked)}.")
    return marked[0]


def _priority_areas(config_dir: Path) -> dict[str, str]:
    raw = config.load_yaml("codebook.yaml", config_dir)
    codes = raw.get("codes") or []
    names = {str(c["id"]): str(c.get("name", c["id"])) for c in codes if isinstance(c, Mapping) and c.get("id")}
    if not names:
        raise ConfigError(f"{config_dir / 'codebook.yaml'} lists no priority areas under `codes`.")
    return names


@lru_cache(maxsize=8)
def _load_vocabularies(config_dir: str) -> Vocabularies:
    folder = Path(config_dir)
    vocab = config.load_yaml("vocabularies.yaml", folder)
    path = folder / "vocabularies.yaml"
    areas = vocab.get("police_force_areas") or {}
    questions = _keys(config.load_yaml("questions.yaml", folder), "questions", folder / "questions.yaml")
    all_wales = _whole_country(areas, path)
    area_names = _keys(vocab, "police_force_areas", path)
    return Vocabularies(
        questions=tuple(dict.fromkeys([*questions, OTHER_QUESTION, UNKNOWN])),
        cohorts=(*_keys(vocab, "cohorts", path), UNKNOWN),
        police_force_areas=(*area_names, UNKNOWN),
        forces=tuple(a for a in area_names if a != all_wales),
        all_wales=all_wales,
        engagement_methods=(*_keys(vocab, "engagement_methods", path), UNKNOWN),
        languages=tuple(_keys(vocab, "languages", path)),
        priority_areas=MappingProxyType(_priority_areas(folder)),
    )


def load_vocabularies(config_dir: Path | None = None) -> Vocabularies:
    """The vocabularies of ``config_dir`` (default: :data:`pipeline.config.CONFIG_DIR`), read once.

    Raises:
        ConfigError: If a vocabulary file is missing, malformed or lacks a section.
    """
    return _load_vocabularies(str(Path(config_dir or config.CONFIG_DIR).resolve()))


def _freeze(value: Any) -> Any:
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Settings:
    """Everything a run is configured with, read once from one config folder and never changed.

    Attributes:
        config_dir: The folder it was read from.
        values: ``settings.yaml`` as a read-only mapping (lists become tuples).
        vocab: The vocabularies (:class:`Vocabularies`).
    """

    config_dir: Path
    values: Mapping[str, Any]
    vocab: Vocabularies

    def value(self, dotted: str) -> Any:
        """The setting at a dotted key (``"disclosure.min_count"``).

        Raises:
            ConfigError: If the key is not in ``settings.yaml`` (each default lives there, once).
        """
        node: Any = self.values
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise ConfigError(f"{self.config_dir / 'settings.yaml'} has no setting `{dotted}`. "
                                  "Restore the file from git or add the setting.")
            node = node[part]
        return node

    def section(self, name: str) -> dict[str, Any]:
        """A plain, mutable copy of one section of ``settings.yaml`` (for code that still takes dicts)."""
        return _thaw(self.value(name))

    def as_dict(self) -> dict[str, Any]:
        """A plain, mutable copy of the whole of ``settings.yaml``."""
        return _thaw(self.values)

    def file(self, name: str) -> Path:
        """The path of another file of the config folder (``ethnicity_map.csv``).

        Raises:
            ConfigError: If it does not exist.
        """
        path = self.config_dir / name
        if not path.exists():
            raise ConfigError(f"{path} is missing. Restore it from git (git checkout -- {path}).")
        return path

    def yaml(self, name: str) -> dict[str, Any]:
        """Another YAML file of the config folder (``triangulation.yaml``), as a plain dict."""
        return config.load_yaml(self.file(name))


@lru_cache(maxsize=8)
def _load_settings(config_dir: str) -> Settings:
    folder = Path(config_dir)
    return Settings(config_dir=folder, values=_freeze(config.load_yaml("settings.yaml", folder)),
                    vocab=load_vocabularies(folder))


def load_settings(config_dir: Path | None = None) -> Settings:
    """The settings of ``config_dir`` (default: :data:`pipeline.config.CONFIG_DIR`), loaded once.

    Raises:
        ConfigError: If a configuration file is missing or malformed.
    """
    return _load_settings(str(Path(config_dir or config.CONFIG_DIR).resolve()))


@lru_cache(maxsize=16)
def _defaults(name: str, config_dir: str) -> Mapping[str, Any]:
    return MappingProxyType(config.load_yaml(name, Path(config_dir)))


def defaults(name: str) -> Mapping[str, Any]:
    """The settings file ``name`` of the default config folder (``config/``, or ``CJIW_CONFIG_DIR``), read once.

    Functions that take settings as arguments use it for their defaults, so each default is written once,
    in the YAML (``DEFAULT_PARAMS = defaults("plancheck.yaml")``). Read-only at the top level.

    Raises:
        ConfigError: If the file is missing or malformed.
    """
    return _defaults(name, str(Path(config.CONFIG_DIR).resolve()))


_MISSING = object()


def _dig(node: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        if not isinstance(node, Mapping) or node.get(part) is None:
            return _MISSING
        node = node[part]
    return node


def lookup(values: Mapping[str, Any] | None, dotted: str, name: str) -> Any:
    """The setting at ``dotted`` in ``values`` (a loaded settings file), else in the default config folder's.

    For functions given a plain dict of settings: a key the dict lacks (or holds as null) takes the value of the
    same file of the default config folder (:func:`defaults`), so the default is written once, in the YAML
    (``lookup(params, "reliability.min_numerator", "triangulation.yaml")``).

    Args:
        values: The whole settings file given, as a dict (``None``: none).
        dotted: The key in ``name`` (``"disclosure.min_count"``).
        name: The config file that holds the default (``"settings.yaml"``).

    Raises:
        ConfigError: If neither ``values`` nor the default file holds the key.
    """
    found = _dig(values or {}, dotted)
    if found is _MISSING:
        found = _dig(defaults(name), dotted)
    if found is _MISSING:
        raise ConfigError(f"{Path(config.CONFIG_DIR) / name} has no setting `{dotted}`. "
                          "Restore the file from git or add the setting.")
    return found
