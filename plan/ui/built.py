"""Tables built once per process and content, then sent as built to every session that shows them.

A table formatted for the language (a pandas Styler: the numbers stay numbers, for sorting) costs Streamlit
more to marshal than anything else on a first load: at national scale the overview's two comparison tables
were about half of a new session's server time (docs/benchmarks.md). Every viewer of the same view is shown
the same table, so the element the first session built is kept, by a key that fixes its whole content, and
handed to the next sessions as it is.

Streamlit internals, all of them here (tests/test_built.py fails when Streamlit changes them): the run
context's `_enqueue` (to keep the element `st.dataframe` sent), `DeltaGenerator._enqueue` with a
`LayoutConfig` (to send it again where the script is writing).
"""

import hashlib
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable

import pandas as pd
import streamlit as st
from streamlit.elements.lib.layout_utils import LayoutConfig
from streamlit.proto.Dataframe_pb2 import Dataframe
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

MAX_TABLES = 256  # a few dozen KB each: every table of every page, in two languages, for a few views at once
DELTA_TYPE = "dataframe"  # the element type st.dataframe sends
_built: OrderedDict[Hashable, bytes] = OrderedDict()
_lock = threading.Lock()


def content_key(frame: pd.DataFrame) -> bytes:
    """A digest of the frame's pickle: equal digests mean equal cells, types and index (the same content
    pickled apart differently only misses the cache). 15 times cheaper than hashing every value."""
    return hashlib.sha256(pickle.dumps(frame, protocol=5)).digest()


def dataframe(key: Hashable, draw: Callable[[], object]) -> None:
    """Draw a table: `draw` makes one `st.dataframe` call, run only when no session has drawn `key` yet;
    `key` must fix everything the table shows (content, formats, language, options)."""
    with _lock:
        kept = _built.get(key)
        if kept is not None:
            _built.move_to_end(key)
    if kept is not None:
        st._main._enqueue(DELTA_TYPE, Dataframe.FromString(kept), layout_config=LayoutConfig(width="stretch"))
        return
    sent = _sent_while(draw)
    if sent is not None:
        with _lock:
            _built[key] = sent
            while len(_built) > MAX_TABLES:
                _built.popitem(last=False)


def _sent_while(draw) -> bytes | None:
    """Run `draw` (one st.dataframe call) and return the element it sent, serialized; None when it sent a
    reference to a message the browser already holds instead of the element itself."""
    ctx = get_script_run_ctx()
    if ctx is None:  # not in a script run (bare mode): nothing is sent, nothing to keep
        draw()
        return None
    sent: list[ForwardMsg] = []
    send = ctx._enqueue
    ctx._enqueue = lambda message: (sent.append(message), send(message))[1]  # this session's context only
    try:
        draw()
    finally:
        ctx._enqueue = send
    elements = [message.delta.new_element for message in sent
                if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element"]
    if len(elements) != 1 or elements[0].WhichOneof("type") != DELTA_TYPE:
        return None
    return elements[0].dataframe.SerializeToString()
