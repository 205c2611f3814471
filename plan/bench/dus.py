"""Synthetic customs export declaration (DUS) files, with the sums an importer must find, for tests and benchmarks.

Written from the published field list (84 fields, `;`, Windows-1252, decimal comma, DDMMYYYY), not from the
importer's tables: each item's destination and sector are chosen here from pairs whose meaning is stated
here (Aduanas 225 is the United States, tariff 2204.21 is wine...), so the expected sums are computed
independently of the code under test. The lines carry what real files carry: Latin-1 names, a CR and a TAB
inside fields, padded fields, 9xx destinations that are not countries, several regions, tariff codes with a
leading zero, the declaration's total FOB repeated on each item (which must never be summed), and, when asked,
lines cut short after the item's name. Each item names its exporter by an anonymous number (zero-padded at
times), a tenth of them a secondary exporter with the main one's share, so the firms a month holds, and their
values, are known here too.
"""

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

FIELDS = 84
DATE, REGION, DESTINATION, DESTINATION_NAME, TOTAL_FOB, NAME, TARIFF, FOB = 0, 14, 19, 20, 46, 62, 69, 73
EXPORTER, EXPORTER_SHARE, SECOND_EXPORTER = 5, 6, 9
EXPORTERS_PER_REGION = 40  # anonymous numbers 1..40 in every region (the same number in two regions: two ids
# only within one region's import, as customs' numbering is national and one import reads one region)
SHARES = ("50", "60", "62,5", "75")  # the main exporter's share when a secondary exporter is named
TRUNCATED_FIELDS = 63  # cut short after NOMBRE, as some published lines are

# Aduanas destination code -> (ISO-3 the dashboard must show, its name as customs writes it); 9xx are not countries.
DESTINATIONS = {225: ("USA", "ESTADOS UNIDOS"), 336: ("CHN", "CHINA"), 331: ("JPN", "JAPON"),
                333: ("KOR", "COREA DEL SUR"), 220: ("BRA", "BRASIL"), 510: ("GBR", "REINO UNIDO"),
                517: ("ESP", "ESPAÑA"), 904: ("XXX", "ORIG O DEST NO PRECISADO"), 905: ("XXX", "ZF IQUIQUE")}
UNKNOWN_DESTINATION = 777  # in no code table: kept as unassigned and reported
# Tariff code -> the plan's sector it belongs to (HS 0806.10 fresh grapes, 0806.20 raisins, 2208.20 pisco...).
TARIFFS = {"08061000": "fresh_fruit", "08062010": "nuts", "22082010": "pisco", "22042110": "wine",
           "26011110": "mining", "74031100": "mining", "03036600": "seafood", "16041410": "seafood",
           "15091000": "olive_oil", "94036000": "other", "01012100": "other"}
REGIONS = ("3", "3", "3", "2", "4", "13", " 3 ")  # Atacama (3) most often, padded once
NAMES = ("UVA DE MESA THOMPSON SEEDLESS", "PISCO RESERVADO 40° AÑEJADO EN ROBLE", "ACEITE DE OLIVA EXTRA VIRGEN",
         "MINERAL DE HIERRO ÑANDÚ, CONCENTRADO", "CONGRIO DORADO CONGELADO\rENTERO", "VINO CARMENÈRE «GRAN RESERVA»")


FILLER = {18: "PUERTO DE DESTINO NO ESPECIFICADO EN ASIA", 21: "COMPAÑÍA SUDAMERICANA DE VAPORES S.A.",
          25: "AGENCIA DE ADUANAS GONZÁLEZ Y CÍA. LTDA.", 55: "EMBARQUE PARCIAL SEGÚN CONTRATO DE COMPRAVENTA "
          "INTERNACIONAL N° 2020-0345, CLÁUSULA FOB", 63: "CALIBRE XL, CAJA DE 8,2 KG", 64: "VARIEDAD RED GLOBE",
          65: "ORIGEN VALLE DE COPIAPÓ", 66: "CERTIFICADO SAG N° 123456", 67: "TEMPERATURA DE TRANSPORTE 0 °C",
          68: "PALLETIZADO, 80 CAJAS POR PALLET", 76: "VALOR FOB SEGÚN FACTURA COMERCIAL DE EXPORTACIÓN",
          79: "OBSERVACIÓN GENERAL DEL DESPACHADOR DE ADUANAS", 82: "SIN OBSERVACIONES ADICIONALES DEL SERVICIO"}


@dataclass
class Item:
    region: str
    day: dt.date
    destination: int
    tariff: str
    fob_cents: int
    declaration_total_cents: int
    exporter: int = 1
    second_exporter: int | None = None
    share: str = ""  # percent, decimal comma, empty when there is no secondary exporter

    def by_exporter(self) -> dict[str, Decimal]:
        """The item's US$ by exporter id as an import must name them (`DUS-<year>-<number>`)."""
        value = Decimal(self.fob_cents) / 100
        main = f"DUS-{self.day.year}-{self.exporter}"
        if self.second_exporter is None:
            return {main: value}
        first = (value * Decimal(self.share.replace(",", ".")) / 100).quantize(Decimal("0.01"))
        return {main: first, f"DUS-{self.day.year}-{self.second_exporter}": value - first}


@dataclass
class DusMonth:
    """A file's bytes and, per region code, the sums by (year, month, ISO-3, sector) it must give."""

    raw: bytes
    lines: int
    expected: dict[str, dict[tuple, Decimal]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))
    # per region code: (exporter id, year, month, ISO-3, sector) -> US$, the rows firm_exports.csv must get
    firms: dict[str, dict[tuple, Decimal]] = field(default_factory=lambda: defaultdict(lambda: defaultdict(Decimal)))
    truncated: list[int] = field(default_factory=list)  # line numbers (1-based) cut short
    unknown_destination_cents: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _amount(cents: int) -> str:
    return f"{cents // 100},{cents % 100:02d}"


def dus_line(item: Item, rng: random.Random, truncated: bool = False) -> bytes:
    fields = [str(rng.randint(0, 999999)) for _ in range(FIELDS)]
    fields[1] = f"{rng.randint(10**8, 10**9 - 1)}"
    fields[7] = "COPIAPÓ"
    fields[13] = "CALDERA\t"  # a TAB inside a field, as published files have
    for position, text in FILLER.items():  # the text fields that make a published line about 1 KB
        fields[position] = text
    fields[DATE] = item.day.strftime("%d%m%Y")
    fields[REGION] = item.region
    fields[DESTINATION] = f"{item.destination:>3}"
    fields[DESTINATION_NAME] = DESTINATIONS.get(item.destination, ("", "DESCONOCIDO"))[1]
    fields[TOTAL_FOB] = _amount(item.declaration_total_cents)
    fields[NAME] = rng.choice(NAMES) + " " * rng.randint(0, 12)
    fields[TARIFF] = item.tariff
    fields[FOB] = f"{_amount(item.fob_cents):>14}"
    fields[EXPORTER] = f"{item.exporter:0{rng.choice((1, 6))}d}"
    fields[EXPORTER_SHARE] = item.share
    fields[SECOND_EXPORTER] = "" if item.second_exporter is None else f"{item.second_exporter:>8}"
    fields[FIELDS - 1] = _amount(rng.randint(100, 10**7))
    if truncated:
        fields = fields[:TRUNCATED_FIELDS]
    return ";".join(fields).encode("cp1252")


def dus_month(year: int, month: int, lines: int, seed: int = 0, truncated: int = 0,
              unknown_destinations: int = 0) -> DusMonth:
    """A month's main file of `lines` item lines (LF-terminated), `truncated` of them cut short and
    `unknown_destinations` sent to a code no table knows."""
    rng = random.Random(seed * 10_000 + year * 100 + month)
    days = (dt.date(year + month // 12, month % 12 + 1, 1) - dt.date(year, month, 1)).days
    cut = set(rng.sample(range(1, lines + 1), truncated))
    odd = set(rng.sample(sorted(set(range(1, lines + 1)) - cut), unknown_destinations))
    out, result = [], DusMonth(b"", lines)
    for number in range(1, lines + 1):
        destination = UNKNOWN_DESTINATION if number in odd else rng.choice(list(DESTINATIONS))
        tariff = rng.choice(list(TARIFFS))
        cents = rng.randint(1, 10**8) if tariff[:2] in ("26", "74") else rng.randint(1, 10**7)
        item = Item(rng.choice(REGIONS), dt.date(year, month, rng.randint(1, days)), destination, tariff, cents,
                    cents + rng.randint(0, 10**8), exporter=rng.randint(1, EXPORTERS_PER_REGION))
        if rng.random() < 0.1:
            item.second_exporter = rng.choice([n for n in range(1, EXPORTERS_PER_REGION + 1) if n != item.exporter])
            item.share = rng.choice(SHARES)
        out.append(dus_line(item, rng, truncated=number in cut))
        if number in cut:
            result.truncated.append(number)
            continue
        region = item.region.strip()
        iso3 = DESTINATIONS.get(destination, ("XXX", ""))[0]
        result.expected[region][(year, month, iso3, TARIFFS[tariff])] += Decimal(cents) / 100
        for exporter, value in item.by_exporter().items():
            result.firms[region][(exporter, year, month, iso3, TARIFFS[tariff])] += value
        if number in odd:
            result.unknown_destination_cents[region] += cents
    result.raw = b"\n".join(out) + b"\n"
    return result
