"""Theme taxonomies: the default one shipped in ``nlp/data`` and a company's own themes on top of it.

A company's themes come from a TOML or JSON file, or from Python objects, in this shape::

    [themes.ferry_delay]
    label = { da = "Færgeforsinkelse", nb = "Fergeforsinkelse", en = "Ferry delay" }
    about = "The ferry leaving late or being cancelled."
    [themes.ferry_delay.terms.da]
    terms = ["færgen", "overfart"]
    phrases = ["sejlede for sent"]

A theme with the id of an existing one replaces it; set ``enabled = false`` to switch a theme off.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Annotated, Any

import msgspec

from nlp import resources

__all__ = ["ThemeTerms", "ThemeDef", "Taxonomy", "TaxonomyError", "LANGUAGES"]

LANGUAGES = ("da", "nb", "nn")
_THEME_ID = re.compile(r"[a-z][a-z0-9_]{0,47}")

ThemeId = Annotated[str, msgspec.Meta(pattern=r"^[a-z][a-z0-9_]{0,47}$")]
Term = Annotated[str, msgspec.Meta(min_length=1, max_length=80)]


class TaxonomyError(ValueError):
    """A theme definition that cannot be used, with a message that says which and why."""


class ThemeTerms(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The words of one theme in one language; see ``data/<lang>/themes.toml`` for their meaning."""

    terms: list[Term] = []
    exact: list[Term] = []
    phrases: list[Term] = []
    weak: list[Term] = []
    block: list[Term] = []


class ThemeDef(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True, kw_only=True):
    """One theme: its id, labels per language, a description, and its words per language."""

    id: ThemeId
    label: dict[str, str] = {}
    about: str = ""
    terms: dict[str, ThemeTerms] = {}
    enabled: bool = True

    def label_for(self, lang: str) -> str:
        return self.label.get(lang) or self.label.get("en") or self.id


class _DefaultTheme(msgspec.Struct, forbid_unknown_fields=True):
    label: dict[str, str]
    about: str = ""


class _CustomTheme(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    label: dict[str, str] = {}
    about: str = ""
    terms: dict[str, ThemeTerms] = {}
    enabled: bool = True


class _CustomFile(msgspec.Struct, forbid_unknown_fields=True):
    themes: dict[str, _CustomTheme]


class Taxonomy:
    """An ordered set of themes. Immutable: ``with_themes`` returns a new taxonomy."""

    def __init__(self, themes: Iterable[ThemeDef]) -> None:
        self._themes: dict[str, ThemeDef] = {}
        for theme in themes:
            self._themes[theme.id] = theme

    @classmethod
    def default(cls) -> Taxonomy:
        """The twelve default themes with their Danish, Bokmål and Nynorsk words."""
        meta = msgspec.toml.decode(resources.read_bytes("taxonomy.toml"), type=dict[str, _DefaultTheme])
        words = {
            lang: msgspec.toml.decode(resources.read_bytes(f"{lang}/themes.toml"), type=dict[str, ThemeTerms])
            for lang in LANGUAGES
        }
        return cls(
            ThemeDef(
                id=theme_id,
                label=m.label,
                about=m.about,
                terms={lang: words[lang][theme_id] for lang in LANGUAGES if theme_id in words[lang]},
            )
            for theme_id, m in meta.items()
        )

    @staticmethod
    def load_custom(source: str | Path | bytes | Mapping[str, Any]) -> list[ThemeDef]:
        """A company's themes from a ``.toml``/``.json`` file, raw TOML/JSON bytes, or a mapping."""
        try:
            if isinstance(source, Mapping):
                parsed = msgspec.convert(source, _CustomFile)
            else:
                if isinstance(source, (str, Path)):
                    path = Path(source)
                    data, is_json = path.read_bytes(), path.suffix.lower() == ".json"
                else:
                    data, is_json = source, source.lstrip()[:1] == b"{"
                decode = msgspec.json.decode if is_json else msgspec.toml.decode
                parsed = decode(data, type=_CustomFile)
        except (msgspec.ValidationError, msgspec.DecodeError) as exc:
            raise TaxonomyError(f"invalid theme definition: {exc}") from exc
        themes = []
        for theme_id, t in parsed.themes.items():
            if not _THEME_ID.fullmatch(theme_id):
                raise TaxonomyError(
                    f"theme id {theme_id!r} must be lower-case letters, digits and _ (starting with a letter)"
                )
            unknown = set(t.terms) - set(LANGUAGES)
            if unknown:
                raise TaxonomyError(f"theme {theme_id!r}: terms for unsupported language(s) {sorted(unknown)}")
            themes.append(ThemeDef(id=theme_id, label=t.label, about=t.about, terms=t.terms, enabled=t.enabled))
        return themes

    def with_themes(self, themes: Iterable[ThemeDef]) -> Taxonomy:
        """This taxonomy with ``themes`` added, or replacing those with the same id."""
        merged = dict(self._themes)
        for theme in themes:
            merged[theme.id] = theme
        return Taxonomy(merged.values())

    def __iter__(self):  # type: ignore[no-untyped-def]
        return (t for t in self._themes.values() if t.enabled)

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __contains__(self, theme_id: object) -> bool:
        theme = self._themes.get(theme_id) if isinstance(theme_id, str) else None
        return theme is not None and theme.enabled

    def __getitem__(self, theme_id: str) -> ThemeDef:
        return self._themes[theme_id]

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self]
