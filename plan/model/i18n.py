"""Every user-facing text in Spanish (default) and English, and locale-aware formats.

Numbers and dates follow es-CL (`US$ 1.500.000`, `23-06-2020`) or en (`US$1,500,000`)
through Babel, so no page formats a figure by hand.
"""

import datetime as dt
from decimal import Decimal

from babel.numbers import format_compact_decimal, format_decimal

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
        "es": "el texto «{value}» tiene {length} caracteres; el máximo es {limit}",
        "en": "the text '{value}' has {length} characters; the maximum is {limit}",
    },
    "text_control_chars": {
        "es": "el texto «{value}» contiene caracteres de control no imprimibles (mostrados como ␀–␟); bórrelos",
        "en": "the text '{value}' contains non-printable control characters (shown as ␀–␟); delete them",
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
    "separator_unsupported": {
        "es": "la línea «sep=» pide el separador «{value}»; use «;», «,» o tabulación (o borre esa línea)",
        "en": "the 'sep=' line asks for the separator '{value}'; use ';', ',' or tab (or delete that line)",
    },
    "file_encoding_mixed": {
        "es": "el archivo mezcla codificaciones: es UTF-8, pero el byte {value} de esta línea no lo es "
        "(«{text}»; ¿una fila pegada desde otro programa?); corrija la línea y guárdelo como «CSV UTF-8»",
        "en": "the file mixes encodings: it is UTF-8, but byte {value} on this line is not "
        "('{text}'; a row pasted from another program?); fix the line and save it as 'CSV UTF-8'",
    },
    "xlsx_unreadable": {
        "es": "«{value}» no es un libro de Excel .xlsx legible (¿un .xls antiguo, un archivo con contraseña, "
        "un PDF o un CSV renombrado?); ábralo en Excel y guárdelo de nuevo como .xlsx o como «CSV UTF-8»",
        "en": "'{value}' is not a readable Excel .xlsx workbook (an old .xls, a password-protected file, "
        "a PDF or a CSV renamed?); open it in Excel and save it again as .xlsx or as 'CSV UTF-8'",
    },
    "xlsx_formula_not_computed": {
        "es": "la celda {cell} tiene la fórmula «{value}» pero no su resultado (el programa que "
        "guardó el archivo no calcula fórmulas); ábralo en Excel, guárdelo y vuelva a subirlo, o escriba el valor",
        "en": "cell {cell} has the formula '{value}' but not its result (the program that "
        "saved the file does not compute formulas); open it in Excel, save it and upload it again, or type the value",
    },
    "xlsx_too_large": {
        "es": "la primera hoja ocupa {value} celdas (filas × columnas); el máximo es {limit}; "
        "borre las filas y columnas sobrantes o divida el archivo",
        "en": "the first sheet spans {value} cells (rows × columns); the maximum is {limit}; "
        "delete the unused rows and columns or split the file",
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
    "exporters": {"es": "Exportadores", "en": "Exporters"},
    "importers": {"es": "Importadores", "en": "Importers"},
    "meetings_held": {"es": "Reuniones realizadas", "en": "Meetings held"},
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
    "url_ignored": {"es": "Se ignoró un valor del enlace que no existe en este plan: {param}={value}. "
                          "Se usa el valor por defecto.",
                    "en": "A link value that does not exist in this plan was ignored: {param}={value}. "
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
    "vs_target_to_date": {"es": "vs meta a la fecha", "en": "vs target to date"},
    "target_to_date": {"es": "Meta a la fecha: {expected} (anual: {target})",
                       "en": "Target to date: {expected} (yearly: {target})"},
    "axis_usd": {"es": "US$", "en": "US$"},
    "no_target": {"es": "sin meta", "en": "no target"},
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
    "type": {"es": "Tipo", "en": "Type"},
    "modality": {"es": "Modalidad", "en": "Modality"},
    "lateness": {"es": "Situación", "en": "Situation"},
    "as_of": {"es": "Fecha de corte", "en": "Status date"},
    "today": {"es": "hoy", "en": "today"},
    "until_as_of": {"es": "en curso, a la fecha de corte", "en": "in progress, at the status date"},
    # Page: progress
    "about_progress": {"es": "¿Avanzamos según lo planificado? Actividades planificadas y realizadas mes a mes, "
                             "el calendario planificado contra el real y el detalle de cada actividad.",
                       "en": "Are we progressing as planned? Activities planned and done month by month, the "
                             "planned calendar against the actual one, and the detail of every activity."},
    "progress_month": {"es": "Mes", "en": "Month"},
    "progress_planned": {"es": "Planificadas en el mes", "en": "Planned in the month"},
    "progress_done": {"es": "Realizadas en el mes", "en": "Done in the month"},
    "progress_in_month": {"es": "En el mes", "en": "In the month"},
    "progress_planned_cumulative": {"es": "Planificadas (acumulado)", "en": "Planned (cumulative)"},
    "progress_done_cumulative": {"es": "Realizadas (acumulado)", "en": "Done (cumulative)"},
    "progress_cumulative_title": {"es": "Actividades planificadas y realizadas, acumuladas por mes",
                                  "en": "Activities planned and done, cumulative by month"},
    "progress_axis_activities": {"es": "Actividades (acumuladas)", "en": "Activities (cumulative)"},
    "progress_cumulative_note": {
        "es": "Planificadas: por mes de término planificado, sin las canceladas. Realizadas: por mes de término "
              "real, hasta la fecha de corte.",
        "en": "Planned: by month of planned end, cancelled ones left out. Done: by month of actual end, up to "
              "the status date."},
    "progress_to_date": {"es": "Avance a la fecha de corte", "en": "Progress at the status date"},
    "progress_planned_year": {"es": "Planificadas en el año", "en": "Planned for the year"},
    "progress_planned_to_date": {"es": "Planificadas a la fecha de corte", "en": "Due by the status date"},
    "progress_done_to_date": {"es": "Realizadas a la fecha de corte", "en": "Done by the status date"},
    "progress_gap": {"es": "Diferencia (realizadas − planificadas)", "en": "Gap (done − due)"},
    "progress_done_pct": {"es": "Cumplimiento a la fecha (%)", "en": "Done of due (%)"},
    "progress_vs_due": {"es": "vs {planned} planificadas a la fecha", "en": "vs {planned} due by then"},
    "progress_timeline": {"es": "Calendario de actividades", "en": "Activity calendar"},
    "progress_timeline_title": {"es": "Calendario: planificado (barra clara) y real (barra oscura), por estado",
                                "en": "Calendar: planned (light bar) and actual (dark bar), by status"},
    "date_axis": {"es": "Fecha", "en": "Date"},
    "progress_timeline_note": {
        "es": "Barra clara: periodo planificado. Barra oscura: periodo real (en curso: hasta la fecha de corte). "
              "El color indica el estado.",
        "en": "Light bar: planned period. Dark bar: actual period (in progress: up to the status date). "
              "The colour shows the status."},
    "planned_span": {"es": "Planificado", "en": "Planned"},
    "actual_span": {"es": "Real", "en": "Actual"},
    "progress_activities": {"es": "Actividades", "en": "Activities"},
    # Page: markets
    "about_markets": {"es": "¿Dónde estamos trabajando? Actividades, negocios y exportaciones por mercado, y qué "
                            "mercados prioritarios del plan quedan sin cobertura.",
                      "en": "Where are we working? Activities, deals and exports by market, and which of the "
                            "plan's priority markets are left uncovered."},
    "mk_metric": {"es": "Indicador", "en": "Metric"},
    "mk_metric_activities": {"es": "Actividades", "en": "Activities"},
    "mk_metric_deals_closed_usd": {"es": "Negocios cerrados", "en": "Deals closed"},
    "mk_metric_deals_projected_usd": {"es": "Negocios proyectados 12 meses", "en": "Deals projected 12 months"},
    "mk_metric_exports_usd": {"es": "Exportaciones (último año)", "en": "Exports (latest year)"},
    "mk_map_title": {"es": "{metric} por mercado", "en": "{metric} by market"},
    "mk_ranking_title": {"es": "Ranking de mercados: {metric}", "en": "Markets ranked: {metric}"},
    "mk_map_note": {"es": "Borde grueso: mercado prioritario de los planes elegidos. Gris: sin dato.",
                    "en": "Thick border: a priority market of the chosen plans. Grey: no figure."},
    "mk_split_note": {"es": "Una actividad con varios mercados se reparte en partes iguales entre ellos "
                            "(negocios cerrados y proyectados); las actividades canceladas no cuentan. "
                            "Exportaciones: último año con dato de cada mercado.",
                      "en": "An activity with several markets is split evenly among them (deals closed and "
                            "projected); cancelled activities do not count. Exports: each market's latest "
                            "year with a figure."},
    "mk_market": {"es": "Mercado", "en": "Market"},
    "mk_activities": {"es": "Actividades", "en": "Activities"},
    "mk_campaigns": {"es": "Campañas pisco", "en": "Pisco campaigns"},
    "mk_exports_usd": {"es": "Exportaciones último año (US$)", "en": "Exports latest year (US$)"},
    "mk_exports_year": {"es": "Año de exportaciones", "en": "Exports year"},
    "mk_priority": {"es": "Prioritario", "en": "Priority"},
    "mk_yes": {"es": "Sí", "en": "Yes"},
    "mk_no": {"es": "No", "en": "No"},
    "mk_hover_activities": {"es": "Actividades: {value}", "en": "Activities: {value}"},
    "mk_hover_campaigns": {"es": "Campañas pisco: {value}", "en": "Pisco campaigns: {value}"},
    "mk_hover_deals_closed": {"es": "Negocios cerrados: {value}", "en": "Deals closed: {value}"},
    "mk_hover_deals_projected": {"es": "Negocios proyectados: {value}", "en": "Deals projected: {value}"},
    "mk_hover_exports": {"es": "Exportaciones {year}: {value}", "en": "Exports {year}: {value}"},
    "mk_hover_no_exports": {"es": "Exportaciones: sin dato", "en": "Exports: no figure"},
    "mk_hover_priority": {"es": "Mercado prioritario", "en": "Priority market"},
    "mk_coverage": {"es": "Mercados prioritarios y cobertura", "en": "Priority markets and coverage"},
    "mk_coverage_note": {"es": "Cubierto: con al menos una actividad o campaña pisco no cancelada con los filtros "
                               "elegidos.",
                         "en": "Covered: at least one activity or pisco campaign, not cancelled, under the chosen "
                               "filters."},
    "mk_coverage_group": {"es": "Cobertura", "en": "Coverage"},
    "mk_gap": {"es": "Prioritario sin cobertura (brecha)", "en": "Priority, not covered (gap)"},
    "mk_priority_covered": {"es": "Prioritario y cubierto", "en": "Priority and covered"},
    "mk_covered_only": {"es": "Cubierto, no prioritario", "en": "Covered, not a priority"},
    "mk_gap_none": {"es": "Todos los mercados prioritarios tienen actividades o campañas.",
                    "en": "Every priority market has activities or campaigns."},
    "mk_drill": {"es": "Detalle de un mercado", "en": "One market in detail"},
    "mk_drill_pick": {"es": "Mercado", "en": "Market"},
    "mk_drill_note": {"es": "Las tablas muestran los montos completos de cada actividad; las cifras de arriba, la "
                            "parte que corresponde a este mercado.",
                      "en": "The tables show each activity's full amounts; the figures above, this market's "
                            "share."},
    "mk_share_closed": {"es": "Negocios cerrados (parte del mercado)", "en": "Deals closed (market's share)"},
    "mk_share_projected": {"es": "Negocios proyectados (parte del mercado)",
                           "en": "Deals projected (market's share)"},
    "mk_latest_exports": {"es": "Exportaciones {year}", "en": "Exports {year}"},
    "mk_latest_exports_none": {"es": "Exportaciones", "en": "Exports"},
    "mk_activities_of": {"es": "Actividades y negocios del mercado", "en": "The market's activities and deals"},
    "mk_campaigns_of": {"es": "Campañas pisco del mercado", "en": "The market's pisco campaigns"},
    "mk_exports": {"es": "Exportaciones al mercado por año", "en": "Exports to the market by year"},
    "mk_none_exports": {"es": "No hay cifras de exportaciones a este mercado con los filtros elegidos.",
                        "en": "There are no export figures for this market under the chosen filters."},
    "mk_none_activities": {"es": "No hay actividades en este mercado con los filtros elegidos.",
                           "en": "There are no activities in this market under the chosen filters."},
    "mk_none_campaigns": {"es": "No hay campañas pisco en este mercado con los filtros elegidos.",
                          "en": "There are no pisco campaigns in this market under the chosen filters."},
    "mk_deals_title": {"es": "Negocios por actividad: {country}", "en": "Deals by activity: {country}"},
    "mk_exports_title": {"es": "Exportaciones a {country} por año", "en": "Exports to {country} by year"},
    # Page: mix
    "about_mix": {"es": "¿Cuánto es virtual, presencial o híbrido, y qué rinde cada modalidad? Actividades por "
                        "mes o trimestre, planificadas y realizadas, y su efectividad.",
                  "en": "How much is virtual, in person or hybrid, and what does each modality yield? Activities "
                        "by month or quarter, planned and done, and their effectiveness."},
    "mix_grain": {"es": "Agrupar por", "en": "Group by"},
    "mix_grain_quarter": {"es": "Trimestre", "en": "Quarter"},
    "mix_grain_month": {"es": "Mes", "en": "Month"},
    "mix_quarter_label": {"es": "T{quarter} {year}", "en": "Q{quarter} {year}"},
    "mix_period": {"es": "Periodo", "en": "Period"},
    "mix_period_axis": {"es": "Periodo de inicio planificado", "en": "Period of planned start"},
    "mix_planned": {"es": "Planificadas", "en": "Planned"},
    "mix_done": {"es": "Realizadas", "en": "Done"},
    "mix_planned_pct": {"es": "Participación en planificadas (%)", "en": "Share of planned (%)"},
    "mix_done_pct": {"es": "Participación en realizadas (%)", "en": "Share of done (%)"},
    "mix_activities_unit": {"es": "actividades", "en": "activities"},
    "mix_axis_activities": {"es": "Actividades", "en": "Activities"},
    "mix_by_period_title": {"es": "Actividades por modalidad: planificadas y realizadas",
                            "en": "Activities by modality: planned and done"},
    "mix_share_title": {"es": "Participación de cada modalidad en las actividades planificadas",
                        "en": "Share of each modality in the activities planned"},
    "mix_share_axis": {"es": "% de las actividades planificadas", "en": "% of activities planned"},
    "mix_by_period_note": {
        "es": "Por periodo de inicio planificado. Planificadas: sin las canceladas. Realizadas: estado «Realizada».",
        "en": "By period of planned start. Planned: cancelled ones left out. Done: status 'Done'."},
    "mix_halves": {"es": "Actividades virtuales por semestre", "en": "Virtual activities by half-year"},
    "mix_half": {"es": "Semestre", "en": "Half-year"},
    "mix_half_1": {"es": "1.er semestre", "en": "First half"},
    "mix_half_2": {"es": "2.º semestre", "en": "Second half"},
    "mix_virtual": {"es": "Virtuales", "en": "Virtual"},
    "mix_virtual_pct": {"es": "Virtuales (%)", "en": "Virtual (%)"},
    "mix_virtual_half_1": {"es": "Virtuales, 1.er semestre", "en": "Virtual, first half"},
    "mix_virtual_half_2": {"es": "Virtuales, 2.º semestre", "en": "Virtual, second half"},
    "mix_of_planned": {"es": "{virtual} de {planned} actividades planificadas",
                       "en": "{virtual} of {planned} activities planned"},
    "mix_effectiveness": {"es": "Efectividad por modalidad", "en": "Effectiveness by modality"},
    "mix_effectiveness_title": {"es": "Efectividad por modalidad (actividades realizadas)",
                                "en": "Effectiveness by modality (activities done)"},
    "mix_effectiveness_note": {
        "es": "Sólo actividades realizadas. Negocios por reunión: negocios ÷ reuniones realizadas. Costo por "
              "reunión: gasto ÷ reuniones, sólo actividades con gasto y reuniones. Pocas actividades en una "
              "modalidad hacen el promedio poco estable.",
        "en": "Activities done only. Deals per meeting: deals ÷ meetings held. Cost per meeting: spend ÷ "
              "meetings, only activities with both spend and meetings. Few activities in a modality make its "
              "average unsteady."},
    "mix_activities_done": {"es": "Actividades realizadas", "en": "Activities done"},
    "mix_meetings_per_activity": {"es": "Reuniones por actividad", "en": "Meetings per activity"},
    "mix_closed_per_meeting": {"es": "Negocios cerrados por reunión (US$ por reunión)",
                               "en": "Deals closed per meeting (US$ per meeting)"},
    "mix_projected_per_meeting": {"es": "Negocios proyectados 12 meses por reunión (US$ por reunión)",
                                  "en": "Deals projected 12 months per meeting (US$ per meeting)"},
    "mix_cost_per_meeting": {"es": "Costo por reunión (US$ por reunión)", "en": "Cost per meeting (US$ per meeting)"},
    "mix_exporters_per_activity": {"es": "Exportadores por actividad", "en": "Exporters per activity"},
    # Page: pisco
    "about_pisco": {"es": "¿Cómo avanzan las campañas de promoción del pisco? Presupuesto y gasto por mercado y "
                          "canal, calendario planificado y real, y metas contra resultados de cada campaña.",
                    "en": "How are the pisco promotion campaigns going? Budget and spend by market and channel, "
                          "planned and actual schedule, and targets against results for each campaign."},
    "pisco_card_campaigns": {"es": "Campañas pisco", "en": "Pisco campaigns"},
    "pisco_card_campaigns_note": {"es": "{done} realizadas (sin contar canceladas)",
                                  "en": "{done} done (cancelled ones left out)"},
    "pisco_card_spent": {"es": "Gasto en campañas", "en": "Campaign spend"},
    "pisco_card_spent_note": {"es": "de {budget} presupuestados", "en": "of {budget} budgeted"},
    "pisco_card_reach": {"es": "Alcance logrado", "en": "Reach achieved"},
    "pisco_card_reach_note": {"es": "personas alcanzadas por las campañas", "en": "people the campaigns reached"},
    "pisco_card_deals": {"es": "Negocios de las campañas", "en": "Campaign deals"},
    "pisco_card_deals_note": {"es": "de {target} de meta", "en": "of a {target} target"},
    "pisco_budget_title": {"es": "Presupuesto y gasto por mercado y canal",
                           "en": "Budget and spend by market and channel"},
    "pisco_budget_of": {"es": "Presupuesto · {channel}", "en": "Budget · {channel}"},
    "pisco_spent": {"es": "Gastado", "en": "Spent"},
    "pisco_market": {"es": "Mercado", "en": "Market"},
    "pisco_budget_usd": {"es": "Presupuesto (US$)", "en": "Budget (US$)"},
    "pisco_spent_usd": {"es": "Gastado (US$)", "en": "Spent (US$)"},
    "pisco_timeline_title": {"es": "Calendario de campañas: planificado y real",
                             "en": "Campaign schedule: planned and actual"},
    "pisco_timeline_note": {"es": "Barra clara: periodo planificado; barra sólida: periodo real, con el color de "
                                  "su estado. Una campaña en curso llega hasta la fecha de corte del plan.",
                            "en": "Light bar: planned period; solid bar: actual period, in its status colour. "
                                  "A campaign in progress runs until the plan's status date."},

    "pisco_actual_until": {"es": "Real hasta", "en": "Actual until"},
    "pisco_targets_title": {"es": "Metas y resultados por campaña", "en": "Targets and results by campaign"},
    "pisco_reach": {"es": "Alcance (personas)", "en": "Reach (people)"},
    "pisco_contacts": {"es": "Contactos comerciales", "en": "Business contacts"},
    "pisco_meetings": {"es": "Reuniones", "en": "Meetings"},
    "pisco_deals_usd": {"es": "Negocios (US$)", "en": "Deals (US$)"},
    "pisco_count_axis": {"es": "cantidad", "en": "count"},
    "pisco_funnel_title": {"es": "Embudo de las campañas: del alcance a los negocios (meta y real)",
                           "en": "Campaign funnel: from reach to deals (target and actual)"},
    "pisco_funnel_note": {"es": "Sin campañas canceladas. La última etapa cuenta campañas con negocios (meta: "
                                "campañas con meta de negocios; real: campañas que cerraron negocios).",
                          "en": "Cancelled campaigns left out. The last stage counts campaigns with deals (target: "
                                "campaigns with a deals target; actual: campaigns that closed deals)."},
    "pisco_stage": {"es": "Etapa", "en": "Stage"},
    "pisco_stage_reach": {"es": "Alcance (personas)", "en": "Reach (people)"},
    "pisco_stage_contacts": {"es": "Contactos", "en": "Contacts"},
    "pisco_stage_meetings": {"es": "Reuniones", "en": "Meetings"},
    "pisco_stage_deals": {"es": "Campañas con negocios", "en": "Campaigns with deals"},
    "pisco_pct_of_target": {"es": "% de la meta", "en": "% of target"},
    "pisco_table_title": {"es": "Campañas del plan pisco", "en": "Pisco plan campaigns"},
    "pisco_section_money": {"es": "Presupuesto por mercado", "en": "Budget by market"},
    "pisco_section_schedule": {"es": "Calendario", "en": "Schedule"},
    "pisco_section_results": {"es": "Metas y resultados", "en": "Targets and results"},
    # Page: outcomes
    "about_outcomes": {"es": "¿Qué resultados dejó el plan? Exportaciones regionales y su crecimiento, negocios "
                             "cerrados y proyectados, reuniones y participantes por país en cada evento.",
                       "en": "What did the plan achieve? Regional exports and their growth, deals closed and "
                             "projected, meetings and participants by country at each event."},
    "outcomes_exports_title": {"es": "Exportaciones por año y crecimiento anual",
                               "en": "Exports by year and yearly growth"},
    "outcomes_exports_note": {"es": "Las etiquetas muestran el crecimiento contra el año anterior.",
                              "en": "Labels show the growth against the year before."},
    "outcomes_growth": {"es": "Crecimiento", "en": "Growth"},
    "outcomes_change": {"es": "Variación", "en": "Change"},
    "outcomes_deals_title": {"es": "Negocios cerrados y proyectados a 12 meses por evento",
                             "en": "Deals closed and projected for 12 months by event"},
    "outcomes_deals_time_title": {"es": "Negocios acumulados en el tiempo: cerrados y proyectados",
                                  "en": "Deals over time, cumulative: closed and projected"},
    "outcomes_deals_note": {"es": "Los negocios cerrados en el evento y los proyectados a 12 meses se informan "
                                  "por separado y nunca se suman.",
                            "en": "Deals closed at the event and deals projected for 12 months are reported "
                                  "apart and never added up."},
    "outcomes_closed": {"es": "Cerrados", "en": "Closed"},
    "outcomes_projected": {"es": "Proyectados 12 meses", "en": "Projected 12 months"},
    "outcomes_closed_cumulative": {"es": "Cerrados (acumulado)", "en": "Closed (cumulative)"},
    "outcomes_projected_cumulative": {"es": "Proyectados 12 meses (acumulado)",
                                      "en": "Projected 12 months (cumulative)"},
    "outcomes_event": {"es": "Evento", "en": "Event"},
    "outcomes_start": {"es": "Inicio", "en": "Start"},
    "outcomes_meetings_title": {"es": "Reuniones solicitadas y realizadas por evento",
                                "en": "Meetings requested and held by event"},
    "outcomes_meetings_requested": {"es": "Solicitadas", "en": "Requested"},
    "outcomes_meetings_held": {"es": "Realizadas", "en": "Held"},
    "outcomes_held_share": {"es": "realizadas", "en": "held"},
    "outcomes_participants_title": {"es": "Exportadores e importadores por país",
                                    "en": "Exporters and importers by country"},
    "outcomes_exporters_by_origin": {"es": "Exportadores por país de origen", "en": "Exporters by country of origin"},
    "outcomes_importers_by_market": {"es": "Importadores por mercado", "en": "Importers by market"},
    "outcomes_country": {"es": "País", "en": "Country"},
    "outcomes_metric": {"es": "Participantes", "en": "Participants"},
    "outcomes_count": {"es": "Cantidad", "en": "Count"},
    "outcomes_count_axis": {"es": "participantes", "en": "participants"},
    "outcomes_meetings_axis": {"es": "reuniones", "en": "meetings"},
    "outcomes_exporters": {"es": "Exportadores", "en": "Exporters"},
    "outcomes_importers": {"es": "Importadores", "en": "Importers"},
    "outcomes_section_exports": {"es": "Exportaciones regionales", "en": "Regional exports"},
    "outcomes_section_deals": {"es": "Negocios", "en": "Deals"},
    "outcomes_section_meetings": {"es": "Reuniones", "en": "Meetings"},
    "outcomes_section_participants": {"es": "Participantes por país", "en": "Participants by country"},
    # Report
    "report_title": {"es": "Informe de avance del plan de internacionalización",
                     "en": "Internationalization plan progress report"},
    "report_file_stem": {"es": "informe-avance", "en": "progress-report"},
    "report_download": {"es": "Descargar informe", "en": "Download report"},
    "report_download_help": {"es": "Informe HTML autónomo de la vista actual: se abre sin internet y se imprime bien.",
                             "en": "Self-contained HTML report of the current view: opens offline and prints well."},
    "report_plans": {"es": "Planes", "en": "Plans"},
    "report_filters": {"es": "Filtros aplicados", "en": "Filters applied"},
    "report_no_limit": {"es": "sin límite", "en": "no limit"},
    "report_generated": {"es": "Informe generado el {when} (UTC)", "en": "Report generated on {when} (UTC)"},
    "report_kpis": {"es": "Indicadores", "en": "Key indicators"},
    "report_delta": {"es": "Diferencia con la meta a la fecha", "en": "Difference from target to date"},
    "report_target": {"es": "Meta anual", "en": "Yearly target"},
    "report_charts": {"es": "Gráficos", "en": "Charts"},
    "report_footer": {"es": "Informe autónomo: funciona sin conexión a internet. Las cifras vienen de los CSV del "
                            "plan; los datos marcados como ilustrativos en su fuente no son oficiales.",
                      "en": "Self-contained report: it works without an internet connection. The figures come from "
                            "the plan CSVs; data marked as illustrative in its source is not official."},
    "report_unknown_value": {"es": "{option}: «{value}» no es un valor reconocido; se espera uno de: {allowed}",
                             "en": "{option}: '{value}' is not a recognised value; expected one of: {allowed}"},
    "report_cannot_write": {"es": "{option}: no se puede escribir «{value}» ({reason}); elija un archivo .html en "
                                  "una carpeta con permiso de escritura",
                            "en": "{option}: cannot write '{value}' ({reason}); choose an .html file in a folder "
                                  "you can write to"},
    "report_unknown_market": {"es": "{option}: «{value}» no es un país reconocido; use el código ISO-3 (GBR) o el "
                                    "nombre (Reino Unido)",
                              "en": "{option}: '{value}' is not a recognised country; use the ISO-3 code (GBR) or "
                                    "the name (United Kingdom)"},
    "report_bad_date": {"es": "{option}: {message}", "en": "{option}: {message}"},
    "report_dates_swapped": {"es": "--from ({date_from}) es posterior a --to ({date_to})",
                             "en": "--from ({date_from}) is after --to ({date_to})"},
    "report_no_plan": {"es": "ningún plan coincide con --office/--year elegidos; planes disponibles: {allowed}",
                       "en": "no plan matches the chosen --office/--year; plans available: {allowed}"},
    "report_written": {"es": "informe escrito en {path} ({size} bytes)",
                       "en": "report written to {path} ({size} bytes)"},
    "report_kept_last_good": {"es": "aviso: los CSV del plan tienen {count} error(es); el informe usa los últimos "
                                    "datos válidos",
                              "en": "warning: the plan CSVs have {count} error(s); the report uses the last valid "
                                    "data"},
    # Charts of a national view: plans summed, long calendars and event charts cut to their most relevant rows
    "plans_summed_note": {
        "es": "Con {plans} planes elegidos, el gráfico muestra su total (con hasta {apart} planes, uno por plan). "
              "Elija oficinas o años en los filtros para comparar planes.",
        "en": "With {plans} plans chosen, the chart shows their total (with up to {apart} plans, one per plan). "
              "Choose offices or years in the filters to compare plans."},
    "capped_activities": {
        "es": "El calendario muestra {shown} de {total} actividades: primero las atrasadas y en curso, luego las de "
              "inicio más reciente. Los filtros acotan la vista; la lista de actividades más abajo las tiene todas.",
        "en": "The calendar shows {shown} of {total} activities: late and in-progress ones first, then the latest "
              "to start. The filters narrow the view; the list of activities below has them all."},
    "capped_campaigns": {
        "es": "Se muestran {shown} de {total} campañas: primero las atrasadas y en curso, luego las de inicio más "
              "reciente. Los filtros acotan la vista; la tabla de campañas más abajo las tiene todas.",
        "en": "Showing {shown} of {total} campaigns: late and in-progress ones first, then the latest to start. "
              "The filters narrow the view; the table of campaigns below has them all."},
    "capped_events": {
        "es": "Se muestran los {shown} eventos con más negocios cerrados (luego proyectados y reuniones) de {total} "
              "eventos con reuniones o negocios. Los filtros acotan la vista; las tablas de datos los tienen todos.",
        "en": "Showing the {shown} events with the largest deals closed (then projected, then meetings) of {total} "
              "events with meetings or deals. The filters narrow the view; the data tables have them all."},
    "capped_markets": {
        "es": "El ranking muestra los {shown} primeros de {total} mercados; el mapa y la tabla bajo el gráfico los "
              "tienen todos.",
        "en": "The ranking shows the top {shown} of {total} markets; the map and the table under the chart have "
              "them all."},
    "outcomes_events_count": {"es": "{count} eventos", "en": "{count} events"},
    # The editor and who may use it
    "page_editor": {
        "es": "Editar el plan",
        "en": "Edit the plan",
    },
    "about_editor": {
        "es": ("Cambie las tablas del plan aquí o suba un CSV o Excel. Se revisa todo antes de guardar; cada "
               "versión queda en el historial."),
        "en": ("Change the plan's tables here or upload a CSV or Excel file. Everything is checked before saving; "
               "every version stays in the history."),
    },
    "editor_plan": {
        "es": "Plan",
        "en": "Plan",
    },
    "editor_table": {
        "es": "Tabla",
        "en": "Table",
    },
    "editor_local_mode": {
        "es": ("Modo local (PLAN_LOCAL_EDIT=1): cualquiera que abra esta dirección puede editar. No lo use en un "
               "enlace compartido."),
        "en": ("Local mode (PLAN_LOCAL_EDIT=1): anyone who opens this address can edit. Do not use it for a shared "
               "link."),
    },
    "editor_moved": {
        "es": ("El archivo cambió en el disco desde que empezó a editar. Sus cambios siguen aquí; al guardar verá "
               "qué cambió."),
        "en": ("The file changed on disk since you started editing. Your changes are still here; saving will show "
               "what changed."),
    },
    "editor_tab_edit": {
        "es": "Editar",
        "en": "Edit",
    },
    "editor_tab_upload": {
        "es": "Subir archivo",
        "en": "Upload a file",
    },
    "editor_tab_download": {
        "es": "Descargar",
        "en": "Download",
    },
    "editor_tab_history": {
        "es": "Historial",
        "en": "History",
    },
    "editor_file_invalid": {
        "es": "{file} tiene problemas y no se puede editar en la tabla:",
        "en": "{file} has problems and cannot be edited in the grid:",
    },
    "editor_file_invalid_hint": {
        "es": "Corrija el archivo y súbalo en «Subir archivo», o vuelva a una versión anterior en «Historial».",
        "en": "Fix the file and upload it under 'Upload a file', or go back to an earlier version under 'History'.",
    },
    "editor_no_changes": {
        "es": ("Sin cambios pendientes. Haga doble clic en una celda para cambiarla; agregue filas al final de la "
               "tabla."),
        "en": "No pending changes. Double-click a cell to change it; add rows at the end of the table.",
    },
    "editor_pending": {
        "es": "Cambios pendientes: filas cambiadas {changed}, agregadas {added}, eliminadas {removed}.",
        "en": "Pending changes: rows changed {changed}, added {added}, deleted {removed}.",
    },
    "editor_issues": {
        "es": "{count} problema(s): corríjalos para poder guardar. No se ha guardado nada.",
        "en": "{count} problem(s): fix them to be able to save. Nothing has been saved.",
    },
    "editor_save": {
        "es": "Guardar cambios",
        "en": "Save changes",
    },
    "editor_discard": {
        "es": "Descartar mis cambios",
        "en": "Discard my changes",
    },
    "editor_page": {
        "es": "Página (de {pages})",
        "en": "Page (of {pages})",
    },
    "editor_rows_shown": {
        "es": "{shown} de {total} filas por página; filtre para encontrar las que busca.",
        "en": "{shown} of {total} rows per page; filter to find the ones you need.",
    },
    "editor_filters_locked": {
        "es": "Guarde o descarte sus cambios antes de cambiar filtros o página.",
        "en": "Save or discard your changes before changing filters or page.",
    },
    "editor_saved": {
        "es": "Guardado {file} (versión {version}). Todas las páginas ya muestran el cambio.",
        "en": "Saved {file} (version {version}). Every page now shows the change.",
    },
    "editor_saved_not_built": {
        "es": ("Otro plan tiene {count} problema(s), así que el tablero sigue con los últimos datos válidos hasta "
               "corregirlos."),
        "en": "Another plan has {count} problem(s), so the dashboard keeps the last good data until they are fixed.",
    },
    "editor_conflict_plain": {
        "es": "El archivo cambió mientras tanto; no se guardó nada. Vuelva a cargarlo e intente otra vez.",
        "en": "The file changed meanwhile; nothing was saved. Load it again and try again.",
    },
    "editor_nothing_saved": {
        "es": "No se guardó nada: los archivos siguen como estaban.",
        "en": "Nothing was saved: the files are as they were.",
    },
    "editor_conflict": {
        "es": ("Otra persona (o un cambio en el disco) modificó este archivo desde que empezó a editar. No se "
               "guardó nada y sus cambios se conservan."),
        "en": ("Someone else (or a change on disk) modified this file since you started editing. Nothing was saved "
               "and your changes are kept."),
    },
    "editor_conflict_theirs": {
        "es": "Lo que cambió en el archivo",
        "en": "What changed in the file",
    },
    "editor_conflict_yours": {
        "es": "Sus cambios pendientes",
        "en": "Your pending changes",
    },
    "editor_conflict_lost": {
        "es": "Estas filas ya no existen en el archivo actual; sus cambios en ellas no se pueden aplicar: {rows}",
        "en": "These rows no longer exist in the current file; your changes to them cannot be applied: {rows}",
    },
    "editor_reapply": {
        "es": "Aplicar mis cambios sobre la versión actual",
        "en": "Apply my changes on the current version",
    },
    "editor_diff_unreadable": {
        "es": "Una de las versiones no se puede leer:",
        "en": "One of the versions cannot be read:",
    },
    "editor_no_difference": {
        "es": "Sin diferencias.",
        "en": "No differences.",
    },
    "editor_upload": {
        "es": "Archivo para {file} (CSV o Excel .xlsx)",
        "en": "File for {file} (CSV or Excel .xlsx)",
    },
    "editor_upload_help": {
        "es": ("Reemplaza la tabla completa. Se acepta lo que exporta Excel (; o ,, coma decimal, Windows-1252). "
               "Máximo {limit} MB."),
        "en": ("Replaces the whole table. What Excel exports is accepted (; or ,, decimal comma, Windows-1252). At "
               "most {limit} MB."),
    },
    "editor_upload_rejected": {
        "es": "{file} no se puede usar:",
        "en": "{file} cannot be used:",
    },
    "editor_upload_same": {
        "es": "El archivo tiene los mismos datos que la tabla actual: no hay nada que guardar.",
        "en": "The file holds the same data as the current table: nothing to save.",
    },
    "editor_upload_preview": {
        "es": "Si confirma: filas agregadas {added}, cambiadas {changed}, eliminadas {removed}.",
        "en": "If you confirm: rows added {added}, changed {changed}, removed {removed}.",
    },
    "editor_upload_replaces_invalid": {
        "es": "El archivo actual tiene problemas; el archivo subido ({rows} filas, todas válidas) lo reemplazará.",
        "en": "The current file has problems; the uploaded file ({rows} rows, all valid) will replace it.",
    },
    "editor_upload_confirm": {
        "es": "Confirmar y guardar",
        "en": "Confirm and save",
    },
    "editor_download_help": {
        "es": ("Para Excel en español use el CSV con «;». Los textos que Excel ejecutaría como fórmula llevan un "
               "apóstrofo delante; al subir el archivo de nuevo se quita."),
        "en": ("For Excel in English use the plain CSV or .xlsx. Texts Excel would run as a formula get a leading "
               "apostrophe; it is removed when the file is uploaded again."),
    },
    "editor_download_excel_csv": {
        "es": "CSV para Excel (;)",
        "en": "CSV for Spanish Excel (;)",
    },
    "editor_download_plain_csv": {
        "es": "CSV UTF-8 (,)",
        "en": "CSV UTF-8 (,)",
    },
    "editor_download_xlsx": {
        "es": "Excel (.xlsx)",
        "en": "Excel (.xlsx)",
    },
    "editor_no_history": {
        "es": "Aún no hay versiones guardadas desde el tablero para esta tabla.",
        "en": "No versions saved from the dashboard for this table yet.",
    },
    "editor_compare_old": {
        "es": "Comparar la versión",
        "en": "Compare version",
    },
    "editor_compare_new": {
        "es": "con la versión",
        "en": "with version",
    },
    "editor_before_first": {
        "es": "antes del primer cambio guardado aquí ({version})",
        "en": "before the first change saved here ({version})",
    },
    "editor_restore_which": {
        "es": "Versión a restaurar",
        "en": "Version to restore",
    },
    "editor_restore": {
        "es": "Restaurar esta versión",
        "en": "Restore this version",
    },
    "editor_the_row": {
        "es": "la fila",
        "en": "the row",
    },
    "editor_change": {
        "es": "Cambio",
        "en": "Change",
    },
    "editor_row": {
        "es": "Fila",
        "en": "Row",
    },
    "editor_column": {
        "es": "Columna",
        "en": "Column",
    },
    "editor_before": {
        "es": "Antes",
        "en": "Before",
    },
    "editor_after": {
        "es": "Después",
        "en": "After",
    },
    "editor_problem": {
        "es": "Problema",
        "en": "Problem",
    },
    "editor_added": {
        "es": "Agregada",
        "en": "Added",
    },
    "editor_removed": {
        "es": "Eliminada",
        "en": "Removed",
    },
    "editor_changed": {
        "es": "Cambiada",
        "en": "Changed",
    },
    "editor_new_row": {
        "es": "nueva fila {number}",
        "en": "new row {number}",
    },
    "editor_saved_at": {
        "es": "Guardada",
        "en": "Saved",
    },
    "editor_editor": {
        "es": "Por",
        "en": "By",
    },
    "editor_kind": {
        "es": "Cómo",
        "en": "How",
    },
    "editor_counts": {
        "es": "Filas",
        "en": "Rows",
    },
    "editor_version": {
        "es": "Versión",
        "en": "Version",
    },
    "editor_kind_edit": {
        "es": "edición",
        "en": "edit",
    },
    "editor_kind_upload": {
        "es": "archivo subido",
        "en": "upload",
    },
    "editor_kind_restore": {
        "es": "restauración",
        "en": "restore",
    },
    "editor_counts_text": {
        "es": "+{added} ~{changed} −{removed}",
        "en": "+{added} ~{changed} −{removed}",
    },
    "access_denied": {
        "es": "Esta sesión no tiene permiso para editar; no se guardó nada.",
        "en": "This session may not edit; nothing was saved.",
    },
    "access_not_on_list": {
        "es": "{email} no está en la lista de editores de este tablero.",
        "en": "{email} is not on this dashboard's list of editors.",
    },
    "access_logout": {
        "es": "Cerrar sesión",
        "en": "Log out",
    },
    "access_login_needed": {
        "es": "Inicie sesión para editar el plan. Solo las personas de la lista de editores pueden guardar cambios.",
        "en": "Log in to edit the plan. Only the people on the editors list can save changes.",
    },
    "access_login": {
        "es": "Iniciar sesión",
        "en": "Log in",
    },
    "access_read_only": {
        "es": ("Este enlace es de solo lectura: la edición no está configurada. Vea «Compartir y editar» en el "
               "README para habilitarla."),
        "en": "This link is read-only: editing is not set up. See 'Share and edit' in the README to enable it.",
    },
    "access_name": {
        "es": "Su nombre (queda en el historial)",
        "en": "Your name (kept in the history)",
    },
    "access_name_help": {
        "es": "Para saber quién hizo cada cambio.",
        "en": "So that each change says who made it.",
    },
    "access_password": {
        "es": "Contraseña de edición",
        "en": "Editor password",
    },
    "access_unlock": {
        "es": "Entrar a editar",
        "en": "Start editing",
    },
    "access_someone": {
        "es": "editor",
        "en": "editor",
    },
    "access_by_password": {
        "es": "con contraseña",
        "en": "by password",
    },
    "access_wrong_password": {
        "es": "Contraseña incorrecta.",
        "en": "Wrong password.",
    },
    "access_lock": {
        "es": "Terminar la edición",
        "en": "Stop editing",
    },
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


def format_compact(value: float | int | Decimal, lang: str = DEFAULT_LANG, usd: bool = False) -> str:
    """Short figures for KPI cards: `US$ 9,3 M` / `US$9.3M`, `120,5 k` / `120.5K` (Babel's CLDR rules)."""
    amount = format_compact_decimal(value, format_type="short", locale=locale_of(lang), fraction_digits=1)
    amount = amount.replace("\xa0", " ")
    if not usd:
        return amount
    return f"US$ {amount}" if lang != "en" else f"US${amount}"


def format_date(value: dt.date, lang: str = DEFAULT_LANG) -> str:
    """`23-06-2020` in Spanish, `2020-06-23` in English (also for pandas Timestamps)."""
    return value.strftime("%d-%m-%Y") if lang != "en" else value.isoformat()
