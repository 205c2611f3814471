"""Year-end projections: where each plan and KPI will close the year, and the chance of its target.

    known       what was known at a date (the built database read as of that day)
    schedule    what is done plus what is still scheduled, weighted by the office's record
    seasonal    a seasonal model of monthly exports and new exporters
    projection  one projection per plan and KPI (or a pace with a wide band), totals summed draw by draw
    tables      the projections kept in the database: `derive` runs in every build and refresh

A layer between data and edit: a save (edit) recomputes its plan's projections, the pages (view) read them.
"""

from plan.outlook.tables import derive

__all__ = ["derive"]
