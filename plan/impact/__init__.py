"""Did the plan's activities move exports? Estimates per activity, before against after, with a comparison.

    estimates   the firm level (participants against firms in no activity) and the aggregate level (the region's
                customs figures: the activity's markets against the others), each a clean 2x2 per activity
    panels      synthetic firm panels and regional series with a planted effect, for tests and the benchmark

A layer after outlook: it reads rows handed to it (numpy, pandas, scipy and plan.model only), so the page, the
report and the command line share one computation, cached by the caller per plan version.
"""

from plan.impact.estimates import ActivityWindow, Estimate, FirmPanel, estimate_plan

__all__ = ["ActivityWindow", "Estimate", "FirmPanel", "estimate_plan"]
