"""`python -m plan serve` (replicas.py): the dashboard self-hosted, N `streamlit run` processes (server.py)
behind HAProxy (haproxy.cfg). A product, not a measurement: the benchmark and the tests start their servers
from here, and nothing here imports the benchmark or Streamlit (the servers are processes of their own).

`APP` is kept here, importing nothing, so the benchmark's cold page worker (`python -m plan.bench.pages`)
can name it without loading anything the app would not.
"""

from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app.py"
