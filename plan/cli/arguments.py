"""The arguments several commands share: the language and size limit, the data folder, the store's URL."""

import argparse
import os
from pathlib import Path

from plan.data.csv_reader import DEFAULT_MAX_BYTES
from plan.data.store import STORE_URL_VARIABLE
from plan.model.i18n import DEFAULT_LANG, LANGS


def add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--lang", choices=LANGS, default=os.environ.get("PLAN_LANG", DEFAULT_LANG),
                        help="language of the messages: es (default, or $PLAN_LANG) or en")
    # A string default goes through `type`, so a bad $PLAN_MAX_CSV_BYTES is a usage error (exit 2), not a traceback.
    parser.add_argument("--max-bytes", type=int, default=os.environ.get("PLAN_MAX_CSV_BYTES", str(DEFAULT_MAX_BYTES)),
                        help=f"largest CSV file accepted, in bytes (default: $PLAN_MAX_CSV_BYTES or "
                             f"{DEFAULT_MAX_BYTES:,})")


def data_dir_argument(parser: argparse.ArgumentParser, local_copy_too: bool = True) -> None:
    parser.add_argument("data_dir", nargs="?", type=Path, default=None,
                        help="folder of plan folders (default: $PLAN_DATA_DIR or data/)" + (
                            "; with a store URL, the store's local copy, brought in step first (default: "
                            "$PLAN_CACHE_DIR or .plan-cache/)" if local_copy_too else ""))


def url_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", default=None,
                        help=f"the PostgreSQL plan store, postgresql+psycopg://user:password@host/db (default: "
                             f"${STORE_URL_VARIABLE}; neither: the plan folders of DATA_DIR are the store)")


def plans_arguments(parser: argparse.ArgumentParser) -> None:
    """A command that reads or writes plans: the store, and the folder it reads them from (with a URL, the
    store's local copy)."""
    data_dir_argument(parser)
    url_argument(parser)
    parser.set_defaults(reads_the_store=True)
