"""Every user-facing text in Spanish (default) and English, and locale-aware formats.

Numbers and dates follow es-CL (`US$ 1.500.000`, `23-06-2020`) or en (`US$1,500,000`)
through Babel, so no page formats a figure by hand.
"""

import datetime as dt
from decimal import Decimal

from babel.numbers import format_decimal

LANGS = ("es", "en")
DEFAULT_LANG = "es"

MESSAGES: dict[str, dict[str, str]] = {
    # Cell values
    "required": {
        "es": "falta un valor obligatorio",
        "en": "a required value is missing",
    },
    "number_invalid": {
        "es": "«{value}» no es un monto válido; se espera un número como {example}",
        "en": "'{value}' is not a valid amount; expected a number such as {example}",
    },
    "number_ambiguous": {
        "es": "«{value}» es ambiguo (¿miles o decimales?); escríbalo sin separador de miles",
        "en": "'{value}' is ambiguous (thousands or decimals?); write it without a thousands separator",
    },
    "number_excel_error": {
        "es": "«{value}» no es un número (error o marcador de Excel); deje la celda vacía o escriba el monto",
        "en": "'{value}' is not a number (an Excel error or placeholder); leave the cell empty or write the amount",
    },
    "number_negative": {
        "es": "«{value}» es negativo; se espera un monto mayor o igual a 0",
        "en": "'{value}' is negative; expected an amount of 0 or more",
    },
    "number_too_many_decimals": {
        "es": "«{value}» tiene más de 2 decimales",
        "en": "'{value}' has more than 2 decimals",
    },
    "number_too_large": {
        "es": "«{value}» es demasiado grande (máximo 15 dígitos enteros)",
        "en": "'{value}' is too large (at most 15 integer digits)",
    },
    "number_not_integer": {
        "es": "«{value}» no es un número entero",
        "en": "'{value}' is not a whole number",
    },
    "number_out_of_range": {
        "es": "«{value}» está fuera de rango; se espera entre {low} y {high}",
        "en": "'{value}' is out of range; expected between {low} and {high}",
    },
    "date_invalid": {
        "es": "«{value}» no es una fecha; se espera dd-mm-aaaa (23-06-2020) o aaaa-mm-dd",
        "en": "'{value}' is not a date; expected dd-mm-yyyy (23-06-2020) or yyyy-mm-dd",
    },
    "date_two_digit_year": {
        "es": "«{value}» tiene el año en 2 dígitos (ambiguo); escriba el año completo: dd-mm-aaaa",
        "en": "'{value}' has a two-digit year (ambiguous); write the full year: dd-mm-yyyy",
    },
    "date_impossible": {
        "es": "«{value}» no es una fecha que exista",
        "en": "'{value}' is not a date that exists",
    },
    "date_excel_serial": {
        "es": "«{value}» parece un número de serie de fecha de Excel; dé formato de fecha dd-mm-aaaa a la columna",
        "en": "'{value}' looks like an Excel date serial number; format the column as a dd-mm-yyyy date",
    },
    "enum_unknown": {
        "es": "«{value}» no es un valor permitido; se espera uno de: {allowed}",
        "en": "'{value}' is not an allowed value; expected one of: {allowed}",
    },
    "country_unknown": {
        "es": "«{value}» no es un país reconocido; use el código ISO-3 (GBR) o el nombre (Reino Unido)",
        "en": "'{value}' is not a recognised country; use the ISO-3 code (GBR) or the name (United Kingdom)",
    },
    "code_invalid": {
        "es": "«{value}» no es un identificador válido; use letras, números, «-», «_» o «.» (máx. 40)",
        "en": "'{value}' is not a valid identifier; use letters, digits, '-', '_' or '.' (max 40)",
    },
    "text_too_long": {
        "es": "el texto tiene {length} caracteres; el máximo es {limit}",
        "en": "the text has {length} characters; the maximum is {limit}",
    },
    "text_control_chars": {
        "es": "el texto contiene caracteres de control no imprimibles",
        "en": "the text contains non-printable control characters",
    },
    # Rows and cross-field rules
    "end_before_start": {
        "es": "la fecha de término {value} es anterior a la de inicio {start}",
        "en": "the end date {value} is before the start date {start}",
    },
    "actual_dates_not_started": {
        "es": "hay fechas reales pero el estado «{value}» indica que no ha comenzado; use «en curso» o «realizada»",
        "en": "actual dates are given but the status '{value}' says it has not started; use 'in progress' or 'done'",
    },
    "actual_end_not_done": {
        "es": "hay fecha real de término pero el estado es «{value}»; use «realizada» o borre la fecha",
        "en": "an actual end date is given but the status is '{value}'; use 'done' or clear the date",
    },
    "held_over_requested": {
        "es": "reuniones realizadas ({value}) superan las solicitadas ({requested})",
        "en": "meetings held ({value}) exceed meetings requested ({requested})",
    },
    "duplicate_id": {
        "es": "el identificador «{value}» está repetido (también en la línea {other_line})",
        "en": "the identifier '{value}' is repeated (also on line {other_line})",
    },
    "duplicate_key": {
        "es": "fila repetida: la misma combinación {value} ya está en la línea {other_line}",
        "en": "repeated row: the same combination {value} is already on line {other_line}",
    },
    "reference_unknown": {
        "es": "«{value}» no existe en {table}",
        "en": "'{value}' does not exist in {table}",
    },
    "plan_rows": {
        "es": "plan.csv debe tener exactamente una fila de datos; tiene {value}",
        "en": "plan.csv must have exactly one data row; it has {value}",
    },
    # Files
    "file_missing": {
        "es": "falta el archivo obligatorio {value}",
        "en": "the required file {value} is missing",
    },
    "file_unknown": {
        "es": "archivo desconocido «{value}»; se esperan: {allowed}",
        "en": "unknown file '{value}'; expected: {allowed}",
    },
    "file_empty": {
        "es": "el archivo está vacío",
        "en": "the file is empty",
    },
    "file_header_only": {
        "es": "el archivo solo tiene encabezado y ninguna fila de datos; agregue filas o elimine el archivo",
        "en": "the file has a header but no data rows; add rows or delete the file",
    },
    "file_too_large": {
        "es": "el archivo pesa {value} bytes; el máximo es {limit} bytes",
        "en": "the file is {value} bytes; the maximum is {limit} bytes",
    },
    "file_binary": {
        "es": "el archivo contiene bytes nulos: no es un CSV de texto (¿un Excel o PDF renombrado?)",
        "en": "the file contains NUL bytes: it is not a text CSV (an Excel or PDF file renamed?)",
    },
    "header_unrecognized": {
        "es": "no se reconoce el encabezado «{value}»; se esperan columnas como: {allowed}",
        "en": "the header '{value}' is not recognised; expected columns such as: {allowed}",
    },
    "column_missing": {
        "es": "falta la columna obligatoria «{value}»",
        "en": "the required column '{value}' is missing",
    },
    "column_unknown": {
        "es": "columna desconocida «{value}»; columnas permitidas: {allowed}",
        "en": "unknown column '{value}'; allowed columns: {allowed}",
    },
    "column_duplicate": {
        "es": "la columna «{value}» aparece dos veces",
        "en": "the column '{value}' appears twice",
    },
    "row_ragged": {
        "es": "la fila tiene {value} columnas y el encabezado {expected}",
        "en": "the row has {value} columns but the header has {expected}",
    },
    "quote_malformed": {
        "es": "comillas mal formadas o sin cerrar desde esta línea; no se leyó el resto del archivo",
        "en": "malformed or unclosed quotes from this line on; the rest of the file was not read",
    },
    "file_encoding": {
        "es": "el archivo no es texto UTF-8 ni Windows-1252 (byte {value}); guárdelo como «CSV UTF-8»",
        "en": "the file is neither UTF-8 nor Windows-1252 text (byte {value}); save it as 'CSV UTF-8'",
    },
    "value_invalid": {
        "es": "valor no válido «{value}»",
        "en": "invalid value '{value}'",
    },
    "no_plans": {
        "es": "no hay carpetas de plan con archivos CSV en {value}",
        "en": "there are no plan folders with CSV files in {value}",
    },
    "summary_invalid": {
        "es": "{count} error(es); no se modificó nada",
        "en": "{count} error(s); nothing was changed",
    },
    "summary_valid": {
        "es": "plan válido: {plans} plan(es), {rows} fila(s)",
        "en": "plan is valid: {plans} plan(s), {rows} row(s)",
    },
    "summary_built": {
        "es": "base de datos construida en {path}: {plans} plan(es), {rows} fila(s)",
        "en": "database built at {path}: {plans} plan(s), {rows} row(s)",
    },
    "summary_set_aside": {
        "es": "la base de datos estaba dañada; se apartó como {path} y se reconstruye",
        "en": "the database was damaged; it was set aside as {path} and is being rebuilt",
    },
    "summary_fresh": {
        "es": "la base de datos {path} ya está al día",
        "en": "the database {path} is already up to date",
    },
    # Dashboard
    "app_title": {"es": "Plan de Internacionalización", "en": "Internationalization plan"},
    "language": {"es": "Idioma / Language", "en": "Idioma / Language"},
    "plans": {"es": "Planes", "en": "Plans"},
    "plans_help": {"es": "Oficina y año del plan; elija uno o varios", "en": "Office and plan year; pick one or more"},
    "no_plan_selected": {"es": "Elija al menos un plan en la barra lateral.",
                         "en": "Pick at least one plan in the sidebar."},
    "activities_done": {"es": "Actividades realizadas", "en": "Activities done"},
    "of_planned": {"es": "de {planned} planificadas", "en": "of {planned} planned"},
    "of_budget": {"es": "de {budget} presupuestados", "en": "of {budget} budgeted"},
    "budget_spent": {"es": "Presupuesto ejecutado", "en": "Budget spent"},
    "exporters": {"es": "Exportadores", "en": "Exporters"},
    "importers": {"es": "Importadores", "en": "Importers"},
    "meetings_held": {"es": "Reuniones realizadas", "en": "Meetings held"},
    "deals_closed": {"es": "Negocios cerrados", "en": "Deals closed"},
    "deals_projected": {"es": "Negocios proyectados 12 meses", "en": "Deals projected 12 months"},
    "exports_by_year": {"es": "Exportaciones por año", "en": "Exports by year"},
    "year": {"es": "Año", "en": "Year"},
    "plan": {"es": "Plan", "en": "Plan"},
    "exports_usd": {"es": "Exportaciones (US$)", "en": "Exports (US$)"},
    "increase_usd": {"es": "Variación (US$)", "en": "Change (US$)"},
    "growth_pct": {"es": "Crecimiento (%)", "en": "Growth (%)"},
    "data_as_of": {"es": "Datos construidos el {built} (UTC) desde la versión {version} de los CSV",
                   "en": "Data built on {built} (UTC) from CSV version {version}"},
    "banner_invalid": {
        "es": "Los CSV del plan tienen {count} error(es); se muestran los últimos datos válidos. Corríjalos:",
        "en": "The plan CSVs have {count} error(s); the last valid data is shown. Fix them:",
    },
    "banner_set_aside": {"es": "La base de datos estaba dañada; se apartó como {path} y se reconstruyó.",
                         "en": "The database was damaged; it was set aside as {path} and rebuilt."},
    "no_data": {"es": "No hay un plan válido que mostrar. Corrija los CSV:",
                "en": "There is no valid plan to show. Fix the CSVs:"},
    # Filters (sidebar, URL)
    "filters": {"es": "Filtros", "en": "Filters"},
    "offices": {"es": "Oficinas", "en": "Offices"},
    "offices_help": {"es": "Vacío = todas. Con varias, se comparan lado a lado con un total.",
                     "en": "Empty = all. With several, they are compared side by side with a total."},
    "years": {"es": "Años del plan", "en": "Plan years"},
    "all": {"es": "Todos", "en": "All"},
    "period": {"es": "Periodo", "en": "Period"},
    "period_help": {"es": "Trimestre del inicio planificado (resultados: mes del dato)",
                    "en": "Quarter of the planned start (outcomes: month of the figure)"},
    "whole_year": {"es": "Todo el año", "en": "Whole year"},
    "quarter_1": {"es": "T1 (ene–mar)", "en": "Q1 (Jan–Mar)"},
    "quarter_2": {"es": "T2 (abr–jun)", "en": "Q2 (Apr–Jun)"},
    "quarter_3": {"es": "T3 (jul–sep)", "en": "Q3 (Jul–Sep)"},
    "quarter_4": {"es": "T4 (oct–dic)", "en": "Q4 (Oct–Dec)"},
    "date_from": {"es": "Desde", "en": "From"},
    "date_to": {"es": "Hasta", "en": "To"},
    "dates_help": {"es": "Actividades cuyo periodo planificado toca estas fechas",
                   "en": "Activities whose planned span touches these dates"},
    "markets": {"es": "Mercados", "en": "Markets"},
    "sectors": {"es": "Sectores", "en": "Sectors"},
    "modalities": {"es": "Modalidad", "en": "Modality"},
    "types": {"es": "Tipo de actividad", "en": "Activity type"},
    "statuses": {"es": "Estado", "en": "Status"},
    "filters_scope": {"es": "Modalidad, tipo y estado se aplican a actividades (y campañas); "
                            "los resultados se filtran por plan, periodo, mercado y sector.",
                      "en": "Modality, type and status apply to activities (and campaigns); "
                            "outcomes are filtered by plan, period, market and sector."},
    "url_ignored": {"es": "Se ignoró un valor del enlace que no existe en este plan: {key}={value}. "
                          "Se usa el valor por defecto.",
                    "en": "A link value that does not exist in this plan was ignored: {key}={value}. "
                          "The default is used."},
    "dates_swapped": {"es": "La fecha «Desde» es posterior a «Hasta»; se ignoran ambas.",
                      "en": "The 'From' date is after the 'To' date; both are ignored."},
    "no_plan_matches": {"es": "Ningún plan coincide con las oficinas y años elegidos. Amplíe la selección.",
                        "en": "No plan matches the chosen offices and years. Widen the selection."},
    "empty_hint": {"es": "No hay datos para estos filtros. Pruebe quitando: {filters}.",
                   "en": "There is no data for these filters. Try removing: {filters}."},
    "empty_plain": {"es": "Los planes elegidos no tienen datos para este gráfico.",
                    "en": "The chosen plans have no data for this chart."},
    "total": {"es": "Total", "en": "Total"},
    "alliance_total": {"es": "Total (todas las oficinas elegidas)", "en": "Total (all chosen offices)"},
    "show_data": {"es": "Ver datos", "en": "Show data"},
    "download_csv": {"es": "Descargar CSV", "en": "Download CSV"},
    "data_text_note": {"es": "Títulos y notas se muestran tal como están escritos en el plan.",
                       "en": "Titles and notes are shown as written in the plan."},
    # Pages: navigation titles and what each answers
    "page_overview": {"es": "Resumen", "en": "Overview"},
    "page_progress": {"es": "Avance", "en": "Progress"},
    "page_markets": {"es": "Mercados", "en": "Target markets"},
    "page_mix": {"es": "Virtual y presencial", "en": "Activity mix"},
    "page_pisco": {"es": "Plan pisco", "en": "Pisco plan"},
    "page_outcomes": {"es": "Resultados", "en": "Outcomes"},
    "about_overview": {"es": "¿Vamos bien? Indicadores del plan contra la meta y el año anterior, "
                             "y las actividades atrasadas.",
                       "en": "Are we on track? The plan's KPIs against target and the year before, "
                             "and the late activities."},
    # Overview
    "kpi_activities_done": {"es": "Actividades realizadas", "en": "Activities done"},
    "kpi_budget_spent": {"es": "Presupuesto ejecutado", "en": "Budget spent"},
    "kpi_exporters": {"es": "Exportadores participantes", "en": "Exporters taking part"},
    "kpi_importers": {"es": "Importadores participantes", "en": "Importers taking part"},
    "kpi_meetings_held": {"es": "Reuniones realizadas", "en": "Meetings held"},
    "kpi_deals_closed": {"es": "Negocios cerrados", "en": "Deals closed"},
    "kpi_deals_projected": {"es": "Negocios proyectados 12 meses", "en": "Deals projected 12 months"},
    "kpi_new_exporters": {"es": "Nuevos exportadores", "en": "New exporters"},
    "kpi_pisco_reach": {"es": "Alcance campañas pisco", "en": "Pisco campaign reach"},
    "kpi_exports": {"es": "Exportaciones regionales", "en": "Regional exports"},
    "vs_target_to_date": {"es": "vs meta a la fecha ({expected})", "en": "vs target to date ({expected})"},
    "axis_usd": {"es": "US$", "en": "US$"},
    "no_target": {"es": "sin meta", "en": "no target"},
    "target_of_year": {"es": "Meta anual: {target}", "en": "Yearly target: {target}"},
    "vs_previous": {"es": "{change} vs año anterior ({previous})", "en": "{change} vs year before ({previous})"},
    "no_previous": {"es": "sin dato del año anterior", "en": "no figure for the year before"},
    "status_green": {"es": "En meta", "en": "On track"},
    "status_amber": {"es": "En riesgo", "en": "At risk"},
    "status_red": {"es": "Atrasado", "en": "Off track"},
    "status_none": {"es": "Sin meta", "en": "No target"},
    "status_rule": {"es": "Estado: real contra la meta anual proporcional a la fracción del año transcurrida a "
                          "la fecha de corte ({as_of}); verde desde 90 %, ámbar desde 70 %.",
                    "en": "Status: actual against the yearly target scaled to the share of the year gone by at "
                          "the status date ({as_of}); green from 90%, amber from 70%."},
    "compare_plans": {"es": "Comparación entre planes", "en": "Plans compared"},
    "late_activities": {"es": "Actividades atrasadas o en riesgo", "en": "Late or at-risk activities"},
    "late_none": {"es": "No hay actividades atrasadas a la fecha de corte.",
                  "en": "No activity is late at the status date."},
    "lateness_late": {"es": "No iniciada", "en": "Not started"},
    "lateness_overdue": {"es": "Vencida en curso", "en": "In progress past its end"},
    "days_late": {"es": "Días de atraso", "en": "Days late"},
    "kpi": {"es": "Indicador", "en": "KPI"},
    "actual": {"es": "Real", "en": "Actual"},
    "target": {"es": "Meta", "en": "Target"},
    "previous": {"es": "Año anterior", "en": "Year before"},
    "status": {"es": "Estado", "en": "Status"},
    "id": {"es": "ID", "en": "ID"},
    "title": {"es": "Título", "en": "Title"},
    "type": {"es": "Tipo", "en": "Type"},
    "modality": {"es": "Modalidad", "en": "Modality"},
    "planned_start": {"es": "Inicio planificado", "en": "Planned start"},
    "planned_end": {"es": "Término planificado", "en": "Planned end"},
    "actual_start": {"es": "Inicio real", "en": "Actual start"},
    "actual_end": {"es": "Término real", "en": "Actual end"},
    "lateness": {"es": "Situación", "en": "Situation"},
    "as_of": {"es": "Fecha de corte", "en": "Status date"},
    "today": {"es": "hoy", "en": "today"},
    # Page: progress
    "about_progress": {"es": "...", "en": "..."},
    # Page: markets
    "about_markets": {"es": "...", "en": "..."},
    # Page: mix
    "about_mix": {"es": "...", "en": "..."},
    # Page: pisco
    "about_pisco": {"es": "...", "en": "..."},
    # Page: outcomes
    "about_outcomes": {"es": "...", "en": "..."},
    # Report
}


def t(key: str, lang: str = DEFAULT_LANG, **params) -> str:
    """The message `key` in `lang`, with `params` filled in."""
    texts = MESSAGES[key]
    return texts.get(lang, texts[DEFAULT_LANG]).format(**params)


def locale_of(lang: str) -> str:
    return "en_US" if lang == "en" else "es_CL"


def format_number(value: float | int | Decimal, lang: str = DEFAULT_LANG, decimals: int = 0) -> str:
    pattern = "#,##0" + ("." + "0" * decimals if decimals else "")
    return format_decimal(value, format=pattern, locale=locale_of(lang))


def format_usd(value: float | int | Decimal, lang: str = DEFAULT_LANG) -> str:
    """`US$ 1.500.000` in Spanish, `US$1,500,000` in English."""
    amount = format_number(value, lang)
    return f"US$ {amount}" if lang != "en" else f"US${amount}"


def format_date(value: dt.date, lang: str = DEFAULT_LANG) -> str:
    """`23-06-2020` in Spanish, `2020-06-23` in English (also for pandas Timestamps)."""
    return value.strftime("%d-%m-%Y") if lang != "en" else value.isoformat()
