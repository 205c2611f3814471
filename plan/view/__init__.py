"""What a page shows: filters, named queries, KPIs, tables and cards for people, charts, the report."""
