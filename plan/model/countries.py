"""Country names in Spanish or English, ISO-2 or ISO-3 codes, normalized to ISO-3 (pycountry).

Display names come from pycountry's Spanish translations, with a few overrides where the
ISO short name reads badly in a chart ("Corea, República de" -> "Corea del Sur").
"""

import gettext
from functools import cache, lru_cache

import pycountry

from plan.model.textkey import text_key

# Not a country: exports whose destination official statistics leave unassigned (customs' 9xx codes such as
# free zones or ship stores, an unknown code). ISO 3166 reserves the X.. codes for such uses.
UNASSIGNED = "XXX"
UNASSIGNED_NAMES = {"es": "Destino sin asignar", "en": "Unassigned destination"}

# Spellings people use that pycountry does not list.
EXTRA_ALIASES = {
    "USA": ("EE.UU.", "EEUU", "EE UU", "Estados Unidos de América", "U.S.A.", "US", "Norteamérica"),
    "GBR": ("UK", "Gran Bretaña", "Inglaterra", "England", "Great Britain", "Britain"),
    "KOR": ("Corea del Sur", "Corea", "Korea", "República de Corea"),
    "CHN": ("China continental", "República Popular China"),
    "TWN": ("Taiwán", "Taiwan"),
    "RUS": ("Rusia", "Russia"),
    "VNM": ("Vietnam",),
    "NLD": ("Holanda", "Holland"),
    "ARE": ("EAU", "Emiratos Árabes", "UAE"),
    "MEX": ("Méjico",),
    "PER": ("Perú",),
    "HKG": ("Hong Kong",),
    "BOL": ("Bolivia",),
    "VEN": ("Venezuela",),
    "IRN": ("Irán", "Iran"),
    "CZE": ("República Checa", "Czech Republic"),
    UNASSIGNED: (UNASSIGNED, *UNASSIGNED_NAMES.values(), "Sin asignar", "Unassigned"),
}
SPANISH_OVERRIDES = {
    "KOR": "Corea del Sur",
    "PRK": "Corea del Norte",
    "TWN": "Taiwán",
    "BOL": "Bolivia",
    "VEN": "Venezuela",
    "IRN": "Irán",
    "RUS": "Rusia",
    "TZA": "Tanzania",
    "HKG": "Hong Kong",
    "GBR": "Reino Unido",
    "USA": "Estados Unidos",
}


@cache
def _spanish() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True)


@cache
def alias_table() -> dict[str, str]:
    """Every accepted spelling (as a text key) mapped to its ISO-3 code."""
    table: dict[str, str] = {}
    for country in pycountry.countries:
        english = [getattr(country, attr, None) for attr in ("name", "common_name", "official_name")]
        spellings = [country.alpha_2, country.alpha_3, *english]
        spellings += [_spanish().gettext(name) for name in english if name]
        for spelling in spellings:
            if spelling:
                table.setdefault(text_key(spelling), country.alpha_3)
    for code, spellings in EXTRA_ALIASES.items():
        for spelling in spellings:
            table[text_key(spelling)] = code
    return table



def to_iso3(text: str) -> str | None:
    """ISO-3 code for a country written in any accepted way, or None."""
    return alias_table().get(text_key(text))


@lru_cache(maxsize=4096)  # every page's market filter names every market in use, on every run
def country_name(code: str, lang: str = "es") -> str:
    if code == UNASSIGNED:
        return UNASSIGNED_NAMES["en" if lang == "en" else "es"]
    country = pycountry.countries.get(alpha_3=code)
    if country is None:
        return code
    english = getattr(country, "common_name", None) or country.name
    if lang == "en":
        return english
    return SPANISH_OVERRIDES.get(code) or _spanish().gettext(country.name)
