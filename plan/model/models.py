"""The one definition of every plan CSV: columns, types, enums with their labels, rules.

A plan folder under `data/` (one office, one plan year) holds:

    plan.csv             one row: office, agency, year, priority markets and sectors
    activities.csv       roundtables, missions, importer visits, fairs, webinars...
    pisco_campaigns.csv  the pisco promotion plan (optional file)
    outcomes.csv         exports, participation and deals by year/month/market (optional)
    targets.csv          KPI targets by year (optional)
    firm_exports.csv     exports firm by firm: month, market, sector (optional; customs or the agency's own)
    participants.csv     which firms took part in which activity (optional; ids may be RUTs: never shown)

Column names in the CSV may be the code (`planned_start`), the Spanish or English label,
in any case, with or without accents; the order of columns does not matter.
"""

import datetime as dt
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict

from plan.model.enums import LabeledEnum
from plan.model.fields import (
    Choice,
    Choices,
    Code,
    Countries,
    Country,
    Day,
    Money,
    Month,
    OptCode,
    OptCountry,
    OptDay,
    OptText,
    RequiredMoney,
    RequiredMonth,
    Text,
    Texts,
    Year,
    column,
)
from plan.model.fields import Count as CountField
from plan.model.regions import Region


class ActivityType(LabeledEnum):
    ROUNDTABLE = ("roundtable", "Rueda de negocios", "Business roundtable",
                  "rueda", "ruedas de negocios", "e-rueda", "e-business roundtable", "macrorrueda")
    TRADE_MISSION = ("trade_mission", "Misión comercial", "Trade mission", "mision", "misiones comerciales")
    INBOUND_VISIT = ("inbound_visit", "Traída de importadores", "Inbound importer visit",
                     "traida", "traida de importadores", "importer visit", "visita de importadores")
    FAIR = ("fair", "Feria", "Trade fair", "feria internacional", "exhibition")
    WEBINAR = ("webinar", "Webinar", "Webinar", "seminario web", "seminario", "seminar")
    TRAINING = ("training", "Capacitación", "Training", "taller", "workshop", "coaching")
    MARKET_INTELLIGENCE = ("market_intelligence", "Inteligencia de mercado", "Market intelligence",
                           "estudio de mercado", "market study")


class Modality(LabeledEnum):
    VIRTUAL = ("virtual", "Virtual", "Virtual", "online", "en linea", "remoto", "remote")
    IN_PERSON = ("in_person", "Presencial", "In person", "in-person", "face to face", "onsite")
    HYBRID = ("hybrid", "Híbrida", "Hybrid", "hibrido", "mixta", "mixto")


class Status(LabeledEnum):
    PLANNED = ("planned", "Planificada", "Planned", "planificado", "programada", "programado", "pendiente")
    IN_PROGRESS = ("in_progress", "En curso", "In progress", "en ejecucion", "ongoing")
    DONE = ("done", "Realizada", "Done", "realizado", "ejecutada", "ejecutado", "completada", "completed")
    POSTPONED = ("postponed", "Postergada", "Postponed", "postergado", "aplazada", "aplazado")
    CANCELLED = ("cancelled", "Cancelada", "Cancelled", "cancelado", "canceled", "suspendida")


STARTED = frozenset({Status.IN_PROGRESS, Status.DONE})


class Sector(LabeledEnum):
    FRESH_FRUIT = ("fresh_fruit", "Fruta fresca", "Fresh fruit", "frutas frescas", "fruta")
    NUTS = ("nuts", "Frutos secos", "Nuts", "nueces", "dried fruit and nuts")
    SPECIALTY_COFFEE = ("specialty_coffee", "Café especial", "Specialty coffee", "cafe", "cafes especiales")
    COCOA = ("cocoa", "Cacao y derivados", "Cocoa and derivatives", "cacao", "cocoa derivatives")
    HONEY = ("honey", "Miel", "Honey")
    BEVERAGES = ("beverages", "Bebidas", "Beverages", "drinks")
    PISCO = ("pisco", "Pisco", "Pisco")
    WINE = ("wine", "Vino", "Wine", "vinos")
    OLIVE_OIL = ("olive_oil", "Aceite de oliva", "Olive oil", "aceitunas", "olives")
    SEAFOOD = ("seafood", "Productos del mar", "Seafood", "pesca", "acuicultura", "aquaculture")
    PROCESSED_FOOD = ("processed_food", "Alimentos procesados", "Processed food", "alimentos")
    MINING = ("mining", "Minería", "Mining", "cobre", "copper", "hierro", "iron ore")
    MINING_SERVICES = ("mining_services", "Servicios a la minería", "Mining services", "proveedores mineros")
    SERVICES = ("services", "Servicios", "Services", "servicios profesionales")
    OTHER = ("other", "Otros", "Other", "otro")


class Channel(LabeledEnum):
    TASTING = ("tasting", "Degustación", "Tasting", "catas", "cata", "degustaciones")
    FAIR = ("fair", "Feria", "Trade fair", "ferias")
    DIGITAL = ("digital", "Campaña digital", "Digital campaign", "redes sociales", "social media", "online")
    IMPORTER_VISIT = ("importer_visit", "Visita de importadores", "Importer visit", "traida de importadores")
    PRESS = ("press", "Prensa", "Press", "medios", "media", "prensa especializada")
    RETAIL = ("retail", "Promoción en punto de venta", "Retail promotion", "punto de venta", "in-store")


class Metric(LabeledEnum):
    EXPORTS_USD = ("exports_usd", "Exportaciones (US$)", "Exports (US$)", "exportaciones", "exports")
    NEW_EXPORTERS = ("new_exporters", "Nuevos exportadores", "New exporters")
    EXPORTERS = ("exporters", "Exportadores participantes", "Exporters taking part", "exportadores")
    IMPORTERS = ("importers", "Importadores participantes", "Importers taking part", "importadores")
    MEETINGS_HELD = ("meetings_held", "Reuniones realizadas", "Meetings held", "reuniones")
    DEALS_CLOSED_USD = ("deals_closed_usd", "Negocios cerrados (US$)", "Deals closed (US$)",
                        "negocios cerrados", "deals closed")
    DEALS_PROJECTED_USD = ("deals_projected_usd", "Negocios proyectados 12 meses (US$)",
                           "Deals projected 12 months (US$)", "negocios proyectados", "deals projected")
    ACTIVITIES_DONE = ("activities_done", "Actividades realizadas", "Activities done", "actividades")
    BUDGET_SPENT_USD = ("budget_spent_usd", "Presupuesto ejecutado (US$)", "Budget spent (US$)",
                        "presupuesto ejecutado", "gasto")
    PISCO_REACH = ("pisco_reach", "Alcance campañas pisco", "Pisco campaign reach", "alcance pisco")

    @property
    def is_usd(self) -> bool:
        return self.value.endswith("_usd")


# Metrics that are computed from activities and campaigns, so an outcomes row must not
# carry them (they would be counted twice); they can still have targets.
OUTCOME_METRICS = tuple(m.value for m in Metric if m not in {
    Metric.ACTIVITIES_DONE, Metric.BUDGET_SPENT_USD, Metric.PISCO_REACH})


@dataclass(frozen=True)
class RuleBreak:
    """A cross-field rule broken by one row: the message key, its column and parameters."""

    code: str
    column: str
    params: dict = field(default_factory=dict)


class PlanModel(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def rule_breaks(self) -> list[RuleBreak]:
        """Cross-field rules; all of them are checked so every problem is listed at once."""
        return []


def _date_order(start: dt.date | None, end: dt.date | None, end_column: str) -> list[RuleBreak]:
    if start and end and end < start:
        return [RuleBreak("end_before_start", end_column, {"value": end.isoformat(), "start": start.isoformat()})]
    return []


STATUS = column("Estado", "Status", "planificada, en curso, realizada, postergada o cancelada",
                "planned, in progress, done, postponed or cancelled")
PLANNED_START = column("Inicio planificado", "Planned start", "dd-mm-aaaa", "dd-mm-yyyy")
PLANNED_END = column("Término planificado", "Planned end", "dd-mm-aaaa, no antes del inicio",
                     "dd-mm-yyyy, not before the start")
ACTUAL_START = column("Inicio real", "Actual start", "solo si está en curso o realizada",
                      "only when in progress or done", default=None)
ACTUAL_END = column("Término real", "Actual end", "solo si está realizada", "only when done", default=None)
MODALITY = column("Modalidad", "Modality", "virtual, presencial o híbrida", "virtual, in person or hybrid")


class Scheduled(PlanModel):
    """Status rules shared by activities and campaigns (each declares the date columns, so
    that they keep their place in the CSV, after the columns that name the row)."""

    def rule_breaks(self) -> list[RuleBreak]:
        breaks = _date_order(self.planned_start, self.planned_end, "planned_end")
        breaks += _date_order(self.actual_start, self.actual_end, "actual_end")
        status = {"value": {"es": self.status.label_es, "en": self.status.label_en}}
        if (self.actual_start or self.actual_end) and self.status not in STARTED:
            column_name = "actual_start" if self.actual_start else "actual_end"
            breaks.append(RuleBreak("actual_dates_not_started", column_name, status))
        elif self.actual_end and self.status is not Status.DONE:
            breaks.append(RuleBreak("actual_end_not_done", "actual_end", status))
        return breaks


class PlanInfo(PlanModel):
    office: Text = column("Oficina", "Office", "p. ej. ProChile Atacama", "e.g. ProChile Atacama")
    agency: Text = column("Agencia", "Agency", "ProChile, ProColombia, PROMPERU...",
                          "ProChile, ProColombia, PROMPERU...")
    country: OptCountry = column("País de la oficina", "Office country", "ISO-3 o nombre", "ISO-3 or name",
                                 default=None)
    region_code: Choice(Region, required=False) = column(
        "Región", "Region", "región de Chile de la oficina (número, romano o nombre: 3, III, Atacama); elige "
        "las exportaciones que se importan de Aduanas", "the office's Chilean region (number, numeral or name: "
        "3, III, Atacama); picks the exports imported from customs", default=None)
    year: Year = column("Año del plan", "Plan year")
    as_of: OptDay = column("Fecha de corte", "Status as of",
                           "fecha en que se actualizó el avance; define qué está atrasado",
                           "date the progress was last updated; defines what is late", default=None)
    priority_markets: Countries = column("Mercados prioritarios", "Priority markets",
                                         "países separados por |", "countries separated by |")
    priority_sectors: Choices(Sector) = column("Sectores prioritarios", "Priority sectors",
                                               "sectores separados por |", "sectors separated by |")
    notes: OptText = column("Notas", "Notes", default=None)
    source: OptText = column("Fuente", "Source", "documento de origen o «ilustrativo»",
                             "source document or 'illustrative'", default=None)


class Activity(Scheduled):
    id: Code = column("ID", "ID", "único en el plan, p. ej. ATA-21-01", "unique in the plan, e.g. ATA-21-01")
    title: Text = column("Título", "Title")
    type: Choice(ActivityType) = column("Tipo", "Type", "rueda de negocios, misión comercial, traída de "
                                        "importadores, feria, webinar, capacitación, inteligencia de mercado",
                                        "business roundtable, trade mission, inbound importer visit, fair, "
                                        "webinar, training, market intelligence")
    modality: Choice(Modality) = MODALITY
    status: Choice(Status) = STATUS
    planned_start: Day = PLANNED_START
    planned_end: Day = PLANNED_END
    actual_start: OptDay = ACTUAL_START
    actual_end: OptDay = ACTUAL_END
    markets: Countries = column("Mercados", "Markets", "países de destino separados por |",
                                "target countries separated by |")
    sectors: Choices(Sector) = column("Sectores", "Sectors", "separados por |", "separated by |")
    partners: Texts = column("Socios", "Partners", "agencias socias separadas por |",
                             "partner agencies separated by |")
    budget_usd: Money = column("Presupuesto (US$)", "Budget (US$)", default=None)
    spent_usd: Money = column("Gasto (US$)", "Spent (US$)", default=None)
    exporters: CountField = column("Exportadores", "Exporters", "empresas exportadoras participantes",
                                   "exporting companies taking part", default=None)
    importers: CountField = column("Importadores", "Importers", "compradores participantes",
                                   "buyers taking part", default=None)
    meetings_requested: CountField = column("Reuniones solicitadas", "Meetings requested", default=None)
    meetings_held: CountField = column("Reuniones realizadas", "Meetings held", default=None)
    deals_closed_usd: Money = column("Negocios cerrados (US$)", "Deals closed (US$)",
                                     "cerrados en el evento", "closed at the event", default=None)
    deals_projected_usd: Money = column("Negocios proyectados 12 meses (US$)", "Deals projected 12 months (US$)",
                                        "esperados en los próximos 12 meses, aparte de los cerrados",
                                        "expected over the next 12 months, apart from those closed", default=None)
    campaign_id: OptCode = column("Campaña pisco", "Pisco campaign", "ID en pisco_campaigns.csv",
                                  "ID in pisco_campaigns.csv", default=None)
    notes: OptText = column("Notas", "Notes", default=None)
    source: OptText = column("Fuente", "Source", default=None)

    def rule_breaks(self) -> list[RuleBreak]:
        breaks = super().rule_breaks()
        held, requested = self.meetings_held, self.meetings_requested
        if held is not None and requested is not None and held > requested:
            breaks.append(RuleBreak("held_over_requested", "meetings_held", {"value": held, "requested": requested}))
        return breaks


class PiscoCampaign(Scheduled):
    id: Code = column("ID", "ID", "único en el plan", "unique in the plan")
    name: Text = column("Nombre", "Name")
    market: Country = column("Mercado", "Market", "país, ISO-3 o nombre", "country, ISO-3 or name")
    channel: Choice(Channel) = column("Canal", "Channel", "degustación, feria, digital, visita de importadores, "
                                      "prensa, punto de venta", "tasting, fair, digital, importer visit, press, retail")
    status: Choice(Status) = STATUS
    modality: Choice(Modality) = MODALITY
    planned_start: Day = PLANNED_START
    planned_end: Day = PLANNED_END
    actual_start: OptDay = ACTUAL_START
    actual_end: OptDay = ACTUAL_END
    budget_usd: Money = column("Presupuesto (US$)", "Budget (US$)", default=None)
    spent_usd: Money = column("Gasto (US$)", "Spent (US$)", default=None)
    reach_target: CountField = column("Alcance meta", "Reach target", "personas alcanzadas", "people reached",
                                      default=None)
    reach_actual: CountField = column("Alcance real", "Reach actual", default=None)
    contacts_target: CountField = column("Contactos meta", "Contacts target", "contactos comerciales",
                                         "trade contacts", default=None)
    contacts_actual: CountField = column("Contactos reales", "Contacts actual", default=None)
    meetings_target: CountField = column("Reuniones meta", "Meetings target", default=None)
    meetings_actual: CountField = column("Reuniones reales", "Meetings actual", default=None)
    deals_target_usd: Money = column("Negocios meta (US$)", "Deals target (US$)", default=None)
    deals_actual_usd: Money = column("Negocios reales (US$)", "Deals actual (US$)", default=None)
    notes: OptText = column("Notas", "Notes", default=None)
    source: OptText = column("Fuente", "Source", default=None)


class Outcome(PlanModel):
    metric: Choice(Metric, allowed=OUTCOME_METRICS) = column(
        "Métrica", "Metric", "exportaciones, nuevos exportadores, exportadores, importadores, reuniones, "
        "negocios cerrados, negocios proyectados", "exports, new exporters, exporters, importers, meetings, "
        "deals closed, deals projected")
    year: Year = column("Año", "Year")
    month: Month = column("Mes", "Month", "1 a 12; vacío = todo el año", "1 to 12; empty = whole year",
                          default=None)
    market: OptCountry = column("Mercado", "Market", "país de destino; vacío = todos",
                                "destination country; empty = all", default=None)
    origin_country: OptCountry = column("País de origen", "Origin country",
                                        "para desgloses por país de la Alianza del Pacífico",
                                        "for breakdowns by Pacific Alliance country", default=None)
    sector: Choice(Sector, required=False) = column("Sector", "Sector", default=None)
    activity_id: OptCode = column("Actividad", "Activity", "ID en activities.csv si el dato es de un evento",
                                  "ID in activities.csv when the figure belongs to an event", default=None)
    value: RequiredMoney = column("Valor", "Value", "US$ para métricas en US$, si no un conteo",
                                  "US$ for US$ metrics, otherwise a count")
    source: OptText = column("Fuente", "Source", default=None)


class Target(PlanModel):
    metric: Choice(Metric) = column("Métrica", "Metric")
    year: Year = column("Año", "Year")
    market: OptCountry = column("Mercado", "Market", "vacío = todos", "empty = all", default=None)
    sector: Choice(Sector, required=False) = column("Sector", "Sector", default=None)
    target: RequiredMoney = column("Meta", "Target", "US$ o conteo según la métrica", "US$ or count by metric")
    notes: OptText = column("Notas", "Notes", default=None)
    source: OptText = column("Fuente", "Source", default=None)


class FirmExport(PlanModel):
    """One firm's exports in a month to one market in one sector: firms are counted from these rows (a count of
    distinct firms never adds up across months, markets or sectors), and the impact of activities compares them."""

    exporter_id: Code = column("Exportador", "Exporter", "RUT o número anónimo de Aduanas (DUS-año-número)",
                               "tax id or customs' anonymous number (DUS-year-number)")
    year: Year = column("Año", "Year")
    month: RequiredMonth = column("Mes", "Month", "1 a 12", "1 to 12")
    market: Country = column("Mercado", "Market", "país de destino, o «Sin asignar»",
                             "destination country, or 'Unassigned'")
    sector: Choice(Sector) = column("Sector", "Sector")
    value_usd: RequiredMoney = column("Valor FOB (US$)", "FOB value (US$)")
    source: OptText = column("Fuente", "Source", default=None)


class Participant(PlanModel):
    """A firm that took part in an activity, by the id its exports carry in firm_exports.csv. Ids (possibly RUTs)
    stay in the plan's files and the editor: no page, report or e-mail shows them."""

    activity_id: Code = column("Actividad", "Activity", "ID en activities.csv", "ID in activities.csv")
    exporter_id: Code = column("Exportador", "Exporter", "el mismo ID que en firm_exports.csv",
                               "the same ID as in firm_exports.csv")
    name: OptText = column("Nombre", "Name", default=None)
    notes: OptText = column("Notas", "Notes", default=None)


@dataclass(frozen=True)
class Table:
    """A CSV file of a plan folder and how it is checked."""

    name: str
    model: type[PlanModel]
    label_es: str
    label_en: str
    required: bool
    unique: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)
    bulk: bool = False  # millions of rows: parsed and checked by DuckDB, Python only on errors

    @property
    def file_name(self) -> str:
        return f"{self.name}.csv"

    def label(self, lang: str = "es") -> str:
        return self.label_en if lang == "en" else self.label_es


PLAN = Table("plan", PlanInfo, "Plan", "Plan", required=True)
ACTIVITIES = Table("activities", Activity, "Actividades", "Activities", required=True, unique=("id",),
                   references={"campaign_id": "pisco_campaigns"})
PISCO_CAMPAIGNS = Table("pisco_campaigns", PiscoCampaign, "Campañas pisco", "Pisco campaigns", required=False,
                        unique=("id",))
OUTCOMES = Table("outcomes", Outcome, "Resultados", "Outcomes", required=False,
                 unique=("metric", "year", "month", "market", "origin_country", "sector", "activity_id"),
                 references={"activity_id": "activities"}, bulk=True)
TARGETS = Table("targets", Target, "Metas", "Targets", required=False, unique=("metric", "year", "market", "sector"))
FIRM_EXPORTS = Table("firm_exports", FirmExport, "Exportaciones por empresa", "Exports by firm", required=False,
                     unique=("exporter_id", "year", "month", "market", "sector"), bulk=True)
PARTICIPANTS = Table("participants", Participant, "Participantes", "Participants", required=False,
                     unique=("activity_id", "exporter_id"), references={"activity_id": "activities"})
TABLES = (PLAN, ACTIVITIES, PISCO_CAMPAIGNS, OUTCOMES, TARGETS, FIRM_EXPORTS, PARTICIPANTS)
TABLES_BY_NAME = {table.name: table for table in TABLES}
