"""The benchmark's static floor: the overview's elements replayed as they were captured from a real first
load (the messages the server sent), with no query, no cache, no code of the project between them.

The file is named by $PLAN_REPLAY_FILE (written by `plan.bench.floors.capture`); it is read once per process,
as the dashboard's caches are filled once. What this page costs is what Streamlit costs to send the overview.
"""

import os
from pathlib import Path

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import enqueue_message


@st.cache_resource(show_spinner=False)
def _captured(path: str) -> list[bytes]:
    data, messages, offset = Path(path).read_bytes(), [], 0
    while offset < len(data):
        size = int.from_bytes(data[offset:offset + 4], "big")
        messages.append(data[offset + 4:offset + 4 + size])
        offset += 4 + size
    return messages


for serialized in _captured(os.environ["PLAN_REPLAY_FILE"]):
    message = ForwardMsg()
    message.ParseFromString(serialized)  # captured without its hash: the server computes it, as for any element
    enqueue_message(message)
