"""Exporting firms ("Empresas exportadoras", counted from firm_exports.csv; not the participants activities report
as "Exportadores participantes"), as the Outcomes and Markets pages and the report show them, with small cells
kept confidential.

A figure that describes fewer than `MIN_FIRMS` firms (a count, and the exports of such a cell) is shown as "< 3" /
"confidencial", as official statistics do, in the shown table and in its download alike. Exports add up across
markets, so where a table shows their total beside the parts, a single confidential part could be worked out by
difference: the smallest other part is kept confidential too (secondary suppression). Distinct counts do not add
up, so the total's count gives no part away by difference.
"""

import pandas as pd

from plan.model.countries import country_name
from plan.model.i18n import t
from plan.view.present import Presented, formatted, is_missing
from plan.view.queries import MIN_FIRMS


def _count(value, lang: str) -> str:
    if is_missing(value):
        return t("firms_no_history", lang)
    return t("firms_few", lang, min=MIN_FIRMS) if 0 < value < MIN_FIRMS else formatted(int(value), "count", lang)


def confidential_parts(parts: pd.DataFrame) -> pd.Series:
    """Which parts' exports are kept confidential: those of fewer than MIN_FIRMS firms, and, when exactly one is,
    the smallest other part too (else the total shown beside them would give it away)."""
    hidden = parts["firms"] < MIN_FIRMS
    if hidden.sum() == 1 and (~hidden).any():
        hidden[parts.loc[~hidden, "exports_usd"].idxmin()] = True
    return hidden


def _table(frame: pd.DataFrame, first: tuple[str, list[str]], hidden: pd.Series, lang: str) -> Presented:
    """Shown and downloaded alike (text for a confidential cell, numbers otherwise)."""
    header, names = first
    usd = [None if cut else value for value, cut in zip(frame["exports_usd"], hidden, strict=True)]
    raw = pd.DataFrame({
        t(header, lang): names,
        t("firms_exporting", lang): [value if value >= MIN_FIRMS else _count(value, lang) for value in frame["firms"]],
        t("firms_new", lang): [value if not is_missing(value) and (value == 0 or value >= MIN_FIRMS)
                               else _count(value, lang) for value in frame["new_firms"]],
        t("firms_exports", lang): [t("firms_confidential", lang) if value is None else value for value in usd],
    })
    shown = raw.copy()
    shown[t("firms_exporting", lang)] = [_count(value, lang) for value in frame["firms"]]
    shown[t("firms_new", lang)] = [_count(value, lang) for value in frame["new_firms"]]
    shown[t("firms_exports", lang)] = [t("firms_confidential", lang) if value is None
                                       else formatted(value, "usd", lang) for value in usd]
    return Presented(shown, raw)


def by_year_table(firms: pd.DataFrame, lang: str) -> Presented:
    """`outcome_queries.exporting_firms` for people: one row a year (years are not parts of a total)."""
    return _table(firms, ("year", [str(int(year)) for year in firms["year"]]), firms["firms"] < MIN_FIRMS, lang)


def by_market_table(firms: pd.DataFrame, lang: str) -> Presented:
    """`outcome_queries.exporting_firms_by_market` for people: the total first (pinned), then the markets, most firms
    first."""
    total = firms[firms["market"].isna()].assign(name=t("total", lang))
    parts = firms[firms["market"].notna()]
    parts = parts.assign(name=[country_name(code, lang) for code in parts["market"]]).sort_values(
        ["firms", "name"], ascending=[False, True])
    firms = pd.concat([total, parts], ignore_index=True)
    hidden = pd.concat([total["firms"] < MIN_FIRMS, confidential_parts(parts)], ignore_index=True)
    return _table(firms, ("outcomes_country", list(firms["name"])), hidden, lang)


def note(firms: pd.DataFrame, lang: str) -> str:
    """What the counts are and are not; "" without firm rows."""
    if firms.empty:
        return ""
    customs = t("firms_customs_assumption", lang) if firms["customs_ids"].any() else ""
    return " ".join(part for part in (t("firms_note", lang, min=MIN_FIRMS), customs) if part)
