"""The charts' colours stay apart for colour-blind readers.

Each group of colours drawn side by side (statuses, modalities, deals closed and projected, the first
plans of a chart) is simulated under protanopia, deuteranopia and tritanopia (ColorAide's Brettel and
Viénot filters) and every pair must differ by a CIEDE2000 distance of at least 10: about five times
the smallest difference a person notices, enough to tell two bars apart in a legend.
"""

from itertools import combinations

import pytest
from coloraide import Color

from plan.view import charts, mix, outcomes

MIN_DISTANCE = 10
PLANS_APART = 6  # a chart's first six plans; a national view has more offices than any palette can keep apart
GROUPS = {
    "status": list(charts.STATUS_COLORS.values()),
    "modality": list(mix.MODALITY_COLORS.values()),
    "deals": [outcomes.CLOSED_COLOR, outcomes.PROJECTED_COLOR],
    "plans": charts.PALETTE[:PLANS_APART],
}
VISIONS = [None, "protan", "deutan", "tritan"]


def closest_pair(colors: list[str], vision: str | None) -> tuple[float, str, str]:
    seen = {color: Color(color).filter(vision) if vision else Color(color) for color in colors}
    return min((seen[a].delta_e(seen[b], method="2000"), a, b) for a, b in combinations(colors, 2))


@pytest.mark.parametrize("vision", VISIONS)
@pytest.mark.parametrize("group", GROUPS)
def test_colours_drawn_together_stay_apart(group, vision):
    distance, first, second = closest_pair(GROUPS[group], vision)
    assert distance >= MIN_DISTANCE, f"{group}: {first} and {second} look alike ({vision}): ΔE {distance:.1f}"


def test_the_check_finds_colours_that_only_differ_in_red_and_green():
    # The modality colours before this check: orange and green read alike under protanopia.
    assert closest_pair(["#e69138", "#6aa84f"], "protan")[0] < MIN_DISTANCE
    assert closest_pair(["#e69138", "#6aa84f"], None)[0] >= MIN_DISTANCE
