"""Query results turned into what a person reads: labels and numbers in the chosen language."""

import math

import pandas as pd

from plan.i18n import format_number, format_usd, t


def _or_blank(value, formatter) -> str:
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else formatter(value)


def exports_table(exports: pd.DataFrame, plan_labels: dict[str, str], lang: str) -> pd.DataFrame:
    """`queries.exports_by_year` as text columns headed in `lang` (US$ and % formatted)."""
    return pd.DataFrame({
        t("plan", lang): exports["plan_id"].map(plan_labels),
        t("year", lang): exports["year"].astype(str),
        t("exports_usd", lang): [format_usd(v, lang) for v in exports["exports_usd"]],
        t("increase_usd", lang): [_or_blank(v, lambda x: format_usd(x, lang)) for v in exports["increase_usd"]],
        t("growth_pct", lang): [_or_blank(v, lambda x: f"{format_number(x, lang, 1)} %")
                                for v in exports["growth_pct"]],
    })
