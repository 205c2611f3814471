"""The benchmark's naive dashboard: what a newcomer writes first with pandas and `st.cache_data` over the same
plan CSVs (every plan folder of $PLAN_DATA_DIR): ten metric cards, one table of activities, one chart. No
validation, no database, no language, no filters. `python -m plan bench` runs its first page cold, beside the
overview's, in a fresh process each."""

import os
from pathlib import Path

import pandas as pd
import plotly.express as px
import streamlit as st


@st.cache_data
def load(folder: str, name: str) -> pd.DataFrame:
    frames = [pd.read_csv(path) for path in sorted(Path(folder).glob(f"*/{name}.csv"))]
    return pd.concat(frames, ignore_index=True)


data = os.environ.get("PLAN_DATA_DIR", "data")
activities, outcomes = load(data, "activities"), load(data, "outcomes")
st.title("Plan de internacionalización")
done = activities[activities["status"] == "done"]
figures = {"Actividades": len(activities), "Realizadas": len(done), "Presupuesto": activities["budget_usd"].sum(),
           "Ejecutado": activities["spent_usd"].sum(), "Exportadores": done["exporters"].sum(),
           "Importadores": done["importers"].sum(), "Reuniones": done["meetings_held"].sum(),
           "Negocios cerrados": done["deals_closed_usd"].sum(),
           "Negocios proyectados": done["deals_projected_usd"].sum(),
           "Exportaciones": outcomes.loc[outcomes["metric"] == "exports_usd", "value"].sum()}
for row in range(2):
    for column, (label, value) in zip(st.columns(5), list(figures.items())[5 * row:5 * row + 5], strict=True):
        column.metric(label, f"{value:,.0f}")
st.plotly_chart(px.bar(activities.groupby("status").size().reset_index(name="n"), x="status", y="n"))
st.dataframe(activities[["id", "title", "status", "planned_start", "planned_end"]], hide_index=True)
