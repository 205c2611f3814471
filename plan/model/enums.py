"""Enums whose members carry their Spanish and English labels and accepted aliases.

A CSV cell matches a member when its `text_key` equals the code, a label or an alias,
so "Presencial ", "in-person" and "in_person" all mean `Modality.IN_PERSON`.
"""

from enum import StrEnum
from functools import cache

from plan.model.textkey import text_key


class LabeledEnum(StrEnum):
    """StrEnum member = (code, label_es, label_en, *aliases); the value is the code."""

    def __new__(cls, code: str, label_es: str, label_en: str, *aliases: str):
        member = str.__new__(cls, code)
        member._value_ = code
        member.label_es = label_es
        member.label_en = label_en
        member.aliases = aliases
        return member

    def label(self, lang: str = "es") -> str:
        return self.label_en if lang == "en" else self.label_es

    @classmethod
    @cache
    def alias_table(cls) -> dict[str, "LabeledEnum"]:
        """Every accepted spelling (as a text key) mapped to its member."""
        table: dict[str, LabeledEnum] = {}
        for member in cls:
            for spelling in (member.value, member.label_es, member.label_en, *member.aliases):
                table[text_key(spelling)] = member
        return table

    @classmethod
    def lookup(cls, text: str) -> "LabeledEnum | None":
        return cls.alias_table().get(text_key(text))

    @classmethod
    def allowed(cls, lang: str = "es") -> list[str]:
        return [member.label(lang) for member in cls]
