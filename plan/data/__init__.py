"""Reading, building and storing: the plan CSV files, the DuckDB database built from them, saved versions."""
