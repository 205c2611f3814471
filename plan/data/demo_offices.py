"""The offices of the demo data: ProChile's regional offices, the markets and partners they name, and each
office's record across its plan years (`office_traits`), which the year-end outlook learns from and is
backtested on (plan.data.demo writes the plans; docs/demo-data.md gives the parameters and why).
"""

from dataclasses import dataclass

import numpy as np

from plan.model.models import Modality, Sector


@dataclass(frozen=True)
class Region:
    """A ProChile regional office: id prefix, main export sectors, yearly exports (US$ million)."""

    name: str
    slug: str
    code: str
    sectors: tuple[Sector, ...]
    exports_musd: float


REGIONS = (
    Region("Arica y Parinacota", "arica-y-parinacota", "ARI", (Sector.OLIVE_OIL, Sector.FRESH_FRUIT, Sector.SEAFOOD),
           300),
    Region("Tarapacá", "tarapaca", "TAR", (Sector.MINING, Sector.SEAFOOD, Sector.OTHER), 2500),
    Region("Antofagasta", "antofagasta", "ANT", (Sector.MINING, Sector.MINING_SERVICES, Sector.SEAFOOD), 25000),
    Region("Atacama", "atacama", "ATA", (Sector.MINING, Sector.FRESH_FRUIT, Sector.OLIVE_OIL), 5000),
    Region("Coquimbo", "coquimbo", "COQ", (Sector.MINING, Sector.FRESH_FRUIT, Sector.PISCO), 4000),
    Region("Valparaíso", "valparaiso", "VAL", (Sector.FRESH_FRUIT, Sector.WINE, Sector.PROCESSED_FOOD), 5000),
    Region("Metropolitana", "metropolitana", "RM", (Sector.SERVICES, Sector.PROCESSED_FOOD, Sector.WINE), 12000),
    Region("O'Higgins", "ohiggins", "OHI", (Sector.FRESH_FRUIT, Sector.MINING, Sector.WINE), 6000),
    Region("Maule", "maule", "MAU", (Sector.WINE, Sector.FRESH_FRUIT, Sector.NUTS), 2500),
    Region("Ñuble", "nuble", "NUB", (Sector.FRESH_FRUIT, Sector.NUTS, Sector.HONEY), 600),
    Region("Biobío", "biobio", "BIO", (Sector.PROCESSED_FOOD, Sector.SEAFOOD, Sector.OTHER), 5000),
    Region("Araucanía", "araucania", "ARA", (Sector.NUTS, Sector.HONEY, Sector.FRESH_FRUIT), 800),
    Region("Los Ríos", "los-rios", "LRI", (Sector.SEAFOOD, Sector.PROCESSED_FOOD, Sector.OTHER), 900),
    Region("Los Lagos", "los-lagos", "LLA", (Sector.SEAFOOD, Sector.PROCESSED_FOOD, Sector.BEVERAGES), 4000),
    Region("Aysén", "aysen", "AYS", (Sector.SEAFOOD, Sector.OTHER, Sector.PROCESSED_FOOD), 900),
    Region("Magallanes", "magallanes", "MAG", (Sector.SEAFOOD, Sector.OTHER, Sector.PROCESSED_FOOD), 700),
)

# Destination markets (ISO-3): Chile's main destinations first (they weigh most), then the
# other sovereign states alphabetically. A fixed list, so output does not follow pycountry.
MARKETS = (
    "CHN", "USA", "JPN", "KOR", "BRA", "IND", "NLD", "MEX", "PER", "ESP", "CAN", "TWN", "DEU", "ITA", "FRA", "GBR",
    "ARG", "COL", "ECU", "BOL", "BEL", "VNM", "THA", "IDN", "MYS", "RUS", "ARE", "SAU", "AUS", "NZL", "HKG", "SGP",
    "PHL", "TUR", "ISR", "CHE", "SWE", "POL", "PRY", "URY", "PAN", "CRI", "GTM", "DOM", "ZAF", "EGY", "MAR", "PRT",
    "IRL", "DNK", "NOR", "FIN", "AUT",
    "AFG", "AGO", "ALB", "AND", "ARM", "ATG", "AZE", "BDI", "BEN", "BFA", "BGD", "BGR", "BHR", "BHS", "BIH", "BLR",
    "BLZ", "BRB", "BRN", "BTN", "BWA", "CAF", "CIV", "CMR", "COD", "COG", "COM", "CPV", "CUB", "CYP", "CZE", "DJI",
    "DMA", "DZA", "ERI", "EST", "ETH", "FJI", "FSM", "GAB", "GEO", "GHA", "GIN", "GMB", "GNB", "GNQ", "GRC", "GRD",
    "GUY", "HND", "HRV", "HTI", "HUN", "IRN", "IRQ", "ISL", "JAM", "JOR", "KAZ", "KEN", "KGZ", "KHM", "KIR", "KNA",
    "KWT", "LAO", "LBN", "LBR", "LBY", "LCA", "LIE", "LKA", "LSO", "LTU", "LUX", "LVA", "MCO", "MDA", "MDG", "MDV",
    "MHL", "MKD", "MLI", "MLT", "MMR", "MNE", "MNG", "MOZ", "MRT", "MUS", "MWI", "NAM", "NER", "NGA", "NIC", "NPL",
    "NRU", "OMN", "PAK", "PLW", "PNG", "PRK", "QAT", "ROU", "RWA", "SDN", "SEN", "SLB", "SLE", "SLV", "SMR", "SOM",
    "SRB", "SSD", "STP", "SUR", "SVK", "SVN", "SWZ", "SYC", "SYR", "TCD", "TGO", "TJK", "TKM", "TLS", "TON", "TTO",
    "TUN", "TUV", "TZA", "UGA", "UKR", "UZB", "VCT", "VEN", "VUT", "WSM", "YEM", "ZMB", "ZWE",
)
PISCO_MARKETS = ("USA", "CHN", "JPN", "KOR", "DEU", "GBR", "BRA", "MEX", "CAN", "ESP", "AUS", "NLD", "FRA")
PARTNERS = ("CORFO", "SAG", "Sernapesca", "Gobierno Regional", "Wines of Chile", "ASOEX", "Chilenut",
            "Asociación de Productores de Pisco", "SOFOFA", "Cámara de Comercio")


REGIONS_BY_SLUG = {region.slug: region for region in REGIONS}
SECTORS = tuple(Sector)


@dataclass(frozen=True)
class OfficeTraits:
    """An office's record, the same in each of its plan years (a plan year draws its own `done_share` around it)."""

    done_share: float  # share of its scheduled activities (and campaigns) done, before modality
    postponed_share: float  # of those not done, the share postponed (the rest cancelled)
    skew: float  # `a` of the Beta(a, 1) its planned starts follow over the year: 1 even, more bunches them late
    new_exporters: float  # mean new exporters a month, before the season


TRAITS_STREAM = 10_000  # an office's traits draw from [seed, TRAITS_STREAM + its index in REGIONS]
DONE_SHARE = (0.65, 0.92)
POSTPONED_SHARE = (0.3, 0.8)
EVEN_CHANCE = 0.35  # offices whose activities do not bunch late at all
SKEW = (1.3, 2.2)  # the others' Beta(a, 1)
NEW_EXPORTERS_A_MONTH = (1.5, 4.5)
YEAR_SPREAD = 0.03  # standard deviation of a plan year's done share around its office's
SLIP_BY_MODALITY = {Modality.IN_PERSON: 1.25, Modality.HYBRID: 1.0, Modality.VIRTUAL: 0.75}  # x (1 - done share)


def office_traits(seed: int, region: Region) -> OfficeTraits:
    """The office's traits, from a generator of their own: the same in every year and scale, and drawing them
    leaves the plan folders' streams alone."""
    rng = np.random.default_rng([seed, TRAITS_STREAM + REGIONS.index(region)])
    return OfficeTraits(done_share=float(rng.uniform(*DONE_SHARE)),
                        postponed_share=float(rng.uniform(*POSTPONED_SHARE)),
                        skew=1.0 if rng.random() < EVEN_CHANCE else float(rng.uniform(*SKEW)),
                        new_exporters=float(rng.uniform(*NEW_EXPORTERS_A_MONTH)))


def done_chance(done_share: float, modality: Modality) -> float:
    """The chance a scheduled activity or campaign is done: in-person ones slip more, virtual ones less."""
    return 1 - (1 - done_share) * SLIP_BY_MODALITY[modality]
