"""`python -m plan bench` (suite.py): what the dashboard costs as the data and the viewers grow.

    demo data (sample, and the scale asked for) --> build      plan build vs plain DuckDB read_csv
                                                --> pages      AppTest, cold and warm, per page (pages.py)
                                                --> memory     peak RSS of a real server per page (plan.serve.server)
                                                --> viewers    a crowd over Streamlit's websocket (viewers.py)
    --> results.json (raw figures + `targets`) and results.md

Every target is a ratio of two figures measured side by side in the same run (national
against sample, build against plain read, crowd against one viewer), so a noisy shared
machine moves both sides alike; nothing here asserts a wall-clock time. With `--scale
sample` both sides are the sample: a smoke test of the machinery, every ratio near 1.

This package imports nothing itself: `python -m plan.bench.pages` (the cold page worker) must
start with only what the app would import.
"""
