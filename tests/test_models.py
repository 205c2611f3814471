"""Models, labels and the cell parsers they rely on."""

import datetime as dt
from decimal import Decimal

import pytest
from pydantic import ValidationError

from plan.model.countries import country_name, to_iso3
from plan.model.i18n import MESSAGES, format_date, format_usd
from plan.model.models import OUTCOME_METRICS, TABLES, Activity, Metric, Modality, Outcome
from plan.model.parsing import DecimalMark, ParseError, parse_date, parse_decimal
from plan.model.schema import kinds

ACTIVITY = {"id": "ATA-21-01", "title": "Rueda", "type": "roundtable", "modality": "virtual", "status": "done",
            "planned_start": "23-06-2020", "planned_end": "02-07-2020"}


@pytest.mark.parametrize("spelling", ["presencial", "Presencial ", "in-person", "IN_PERSON", "In person", "PRESENCIAL"])
def test_modality_aliases_mean_in_person(spelling):
    assert Modality.lookup(spelling) is Modality.IN_PERSON


@pytest.mark.parametrize("spelling", ["Híbrido", "hibrida", "Hybrid", "mixta"])
def test_hybrid_aliases(spelling):
    assert Modality.lookup(spelling) is Modality.HYBRID


def test_every_enum_member_has_both_labels_and_no_spelling_means_two_members():
    from plan.model import models
    from plan.model.enums import LabeledEnum
    from plan.model.textkey import text_key

    enums = [value for value in vars(models).values()
             if isinstance(value, type) and issubclass(value, LabeledEnum) and value is not LabeledEnum]
    assert len(enums) >= 6
    for enum in enums:
        owner: dict[str, str] = {}
        for member in enum:
            assert member.label("es") and member.label("en")
            for spelling in {text_key(s) for s in (member.value, member.label_es, member.label_en, *member.aliases)}:
                assert owner.setdefault(spelling, member.value) == member.value, (enum.__name__, spelling)


def test_every_column_has_spanish_and_english_labels_and_a_kind():
    for table in TABLES:
        for name, info in table.model.model_fields.items():
            assert info.json_schema_extra["es"] and info.json_schema_extra["en"], (table.name, name)
        assert set(kinds(table)) == set(table.model.model_fields)


def test_countries_in_spanish_english_and_codes():
    for text in ("Reino Unido", "United Kingdom", "GBR", "gb", "Gran Bretaña"):
        assert to_iso3(text) == "GBR"
    assert to_iso3("EE.UU.") == to_iso3("Estados Unidos") == "USA"
    assert to_iso3("Perú") == to_iso3("peru") == "PER"
    assert to_iso3("Atlantis") is None
    assert country_name("KOR", "es") == "Corea del Sur" and country_name("DEU", "es") == "Alemania"
    assert country_name("GBR", "en") == "United Kingdom"


@pytest.mark.parametrize(("text", "mark", "expected"), [
    ("1.500.000,50", DecimalMark.COMMA, "1500000.50"),
    ("1500000,5", DecimalMark.COMMA, "1500000.50"),
    ("1.500", DecimalMark.COMMA, "1500.00"),
    ("1,500,000.50", DecimalMark.POINT, "1500000.50"),
    ("1.5", DecimalMark.POINT, "1.50"),
    ("US$ 1.500", DecimalMark.COMMA, "1500.00"),
    ("1500,25", DecimalMark.EITHER, "1500.25"),
    ("1.500,25", DecimalMark.EITHER, "1500.25"),
    (" 42 ", DecimalMark.POINT, "42.00"),
])
def test_amounts_as_excel_writes_them(text, mark, expected):
    assert parse_decimal(text, mark) == Decimal(expected)


@pytest.mark.parametrize(("text", "mark", "code"), [
    ("US$ 1,5 millones", DecimalMark.COMMA, "number_invalid"),
    ("-5", DecimalMark.POINT, "number_negative"),
    ("#N/A", DecimalMark.COMMA, "number_excel_error"),
    ("#¡VALOR!", DecimalMark.COMMA, "number_excel_error"),
    ("NaN", DecimalMark.POINT, "number_excel_error"),
    ("inf", DecimalMark.POINT, "number_excel_error"),
    ("1,505", DecimalMark.COMMA, "number_too_many_decimals"),
    ("1.500", DecimalMark.EITHER, "number_ambiguous"),
    ("1.5", DecimalMark.COMMA, "number_invalid"),
    ("12345678901234567", DecimalMark.POINT, "number_too_large"),
])
def test_amounts_refused_with_the_reason(text, mark, code):
    with pytest.raises(ParseError) as raised:
        parse_decimal(text, mark)
    assert raised.value.code == code and raised.value.code in MESSAGES


@pytest.mark.parametrize(("text", "expected"), [
    ("23-06-2020", dt.date(2020, 6, 23)), ("23/06/2020", dt.date(2020, 6, 23)), ("2020-06-23", dt.date(2020, 6, 23)),
    ("2020-06-23 00:00:00", dt.date(2020, 6, 23)), ("3.7.2021", dt.date(2021, 7, 3)),
])
def test_dates_accepted(text, expected):
    assert parse_date(text) == expected


@pytest.mark.parametrize(("text", "code"), [
    ("31-02-2021", "date_impossible"), ("15/03/21", "date_two_digit_year"), ("44197", "date_excel_serial"),
    ("junio 2020", "date_invalid"), ("06-15-2021", "date_impossible"),
])
def test_dates_refused(text, code):
    with pytest.raises(ParseError) as raised:
        parse_date(text)
    assert raised.value.code == code


def test_cross_field_rules_are_all_reported():
    row = Activity.model_validate({**ACTIVITY, "status": "planned", "planned_end": "01-06-2020",
                                   "actual_start": "23-06-2020", "meetings_requested": "3", "meetings_held": "5"})
    assert [(rule.code, rule.column) for rule in row.rule_breaks()] == [
        ("end_before_start", "planned_end"), ("actual_dates_not_started", "actual_start"),
        ("held_over_requested", "meetings_held")]


def test_done_activity_with_actual_dates_is_valid_and_deals_stay_apart():
    row = Activity.model_validate({**ACTIVITY, "actual_start": "23-06-2020", "actual_end": "2020-07-02",
                                   "deals_closed_usd": "1.500.000", "deals_projected_usd": "17.000.000"},
                                  context={"decimal_mark": DecimalMark.COMMA})
    assert row.rule_breaks() == []
    assert (row.deals_closed_usd, row.deals_projected_usd) == (Decimal("1500000.00"), Decimal("17000000.00"))


def test_field_errors_are_collected_with_message_keys():
    with pytest.raises(ValidationError) as raised:
        Activity.model_validate({**ACTIVITY, "id": "", "modality": "teletransporte", "budget_usd": "mucho"})
    codes = {error["loc"][0]: error["type"] for error in raised.value.errors()}
    assert codes == {"id": "required", "modality": "enum_unknown", "budget_usd": "number_invalid"}
    assert all(code in MESSAGES for code in codes.values())


def test_derived_metrics_are_refused_in_outcomes():
    assert "activities_done" not in OUTCOME_METRICS
    with pytest.raises(ValidationError):
        Outcome.model_validate({"metric": "activities_done", "year": "2021", "value": "3"})
    exports = Outcome.model_validate({"metric": "Exportaciones", "year": "2021", "value": "3"})
    assert exports.metric is Metric.EXPORTS_USD


def test_formats_follow_the_language():
    assert format_usd(1_500_000, "es") == "US$ 1.500.000"
    assert format_usd(1_500_000, "en") == "US$1,500,000"
    assert format_date(dt.date(2020, 6, 23), "es") == "23-06-2020"


def test_every_message_exists_in_both_languages_with_the_same_placeholders():
    import string

    for key, texts in MESSAGES.items():
        assert set(texts) == {"es", "en"}, key
        fields = [{name for _, name, _, _ in string.Formatter().parse(text) if name} for text in texts.values()]
        assert fields[0] == fields[1], key
