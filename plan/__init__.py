"""The internationalization plan dashboard's domain, in layers; a layer imports only the ones above it here.

    model/   what a plan is: its CSV tables and columns (models, fields), the rules of a cell or a row,
             enums, countries and Chile's regions, numbers and dates as Excel writes them, the messages'
             lookup (i18n)
    data/    reading the plan's CSV files (csv_reader, and sql_reader for big tables), loading and building
             the DuckDB database (loader, database), writing CSVs and files safely (csv_writer, files),
             the plan store (store chooses it: the folder, or PostgreSQL shared by replicas) and its history,
             demo data
    outlook/ year-end projections per plan and KPI (what is done, what is still scheduled weighted by the
             office's record, a seasonal model of monthly exports; a pace where there is too little history),
             computed in every build and refresh (`derive`), so a save recomputes them and a page only reads
    impact/  did an activity move exports: per activity, participants against firms in no activity (firm level)
             and the region's customs figures for its markets against the others (aggregate, an association),
             each with a 90 % interval and the firms or cells behind it; numpy, pandas and scipy on rows handed
             to it, computed on request and cached by the caller
    edit/    changing the plan safely: an edit checked and saved (editing), the editor's tables
             (editor_display), Excel workbooks and downloads, official export statistics (customs' DUS
             files, UN Comtrade) read and merged into outcomes like an edit, one flow for every source
             (imports; official, aduanas, comtrade), pull and push of the store (push_pull)
    view/    what a page shows: filters, named queries, KPIs, the shared presentation and chart style (present,
             charts), one module per page (overview, progress, markets, mix, pisco, outcomes), the report (HTML, and
             the PDF headless Chromium prints from it: report_pdf), the digest by e-mail (digest composes,
             digest_run sends and remembers);
             read-only, it imports nothing of edit/ (what both need, such as the name an imported figure's
             source carries, is in model/)
    ui/      the Streamlit helpers the pages share, the editor page, who may edit

Beside them, three tools: `cli` (`python -m plan`), `serve` (self-hosting: `streamlit run` replicas behind
HAProxy) and `bench` (the benchmark, which drives the app as `serve` runs it). Streamlit is imported only by
`ui` and `bench`. The pages themselves are in `pages/`, thin: they read the filters, call named queries and
presentation, and draw. Each layer keeps its user-facing texts in its own `messages/` folder.
`tests/test_layers.py` keeps all of this true.
"""
