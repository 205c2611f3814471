"""`python -m plan store`: the plan's versions in PostgreSQL (init, push, pull, remove, log, status)."""

import sys
from pathlib import Path

from plan.cli.arguments import add_common, data_dir_argument, url_argument
from plan.data.store import DEFAULT_COPY_DIR, STORE_URL_VARIABLE, open_store
from plan.edit import push_pull
from plan.model.i18n import t
from plan.model.issues import UsageError
from plan.model.models import TABLES_BY_NAME


def add_command(commands) -> None:
    store_cmd = commands.add_parser(
        "store", help="the plan's versions in PostgreSQL: init, push, pull, log, status",
        description="Keep the plan's CSV versions in PostgreSQL, the durable store a hosted dashboard and its "
                    "replicas share. init: create or migrate the tables; pull DIR: the current versions, byte for "
                    "byte (to put the plan back in git), remembering each file's version (DIR/.store-bases.json); "
                    "files changed in DIR are kept, or merged by row with the store's changes, and a row changed on "
                    "both sides refuses the pull; push [DATA_DIR]: the files changed since they were pulled, as new "
                    "versions, merged by row onto others' changes (a row changed on both sides, or a file the "
                    "store holds that DATA_DIR never pulled, refuses the push, writing nothing); remove PLAN: take "
                    "a plan out of the store (the history keeps it); log: the versions, newest first; status: "
                    "whether the store answers, and its version. Exit codes: 0 done, 1 the store cannot be used, "
                    "the plan has errors or a change would be lost, 2 wrong usage.")
    actions = store_cmd.add_subparsers(dest="action", required=True, metavar="ACTION")
    for name, summary in (("init", "create or migrate the store's tables"),
                          ("push", "send the changes of a data folder as new versions"),
                          ("pull", "write the current versions into a folder, keeping local changes"),
                          ("remove", "take plans out of the store (the history keeps them)"),
                          ("log", "list the saved versions, newest first"),
                          ("status", "say whether the store answers, and its version")):
        action = actions.add_parser(name, help=summary, description=summary[0].upper() + summary[1:] + ".")
        url_argument(action)
        if name == "push":
            data_dir_argument(action, local_copy_too=False)
            action.add_argument("--force", action="store_true",
                                help="replace the store's version where it cannot be merged (the history keeps it)")
            action.add_argument("--delete", action="store_true",
                                help="remove from the store the files deleted here since they were pulled")
        elif name == "pull":
            action.add_argument("out", type=Path, help="folder to write the plan folders into")
            action.add_argument("--force", action="store_true",
                                help="discard the changes made in the folder: it becomes the store's versions")
        elif name == "remove":
            action.add_argument("plans", nargs="+", metavar="PLAN", help="plan id, e.g. prochile-atacama-2021")
        elif name == "log":
            action.add_argument("--limit", type=int, default=50, help="how many versions (default 50)")
        add_common(action)


def run(args) -> int:
    lang = args.lang
    if args.url is None:
        raise UsageError("store_no_url", variable=STORE_URL_VARIABLE)
    store = open_store(args.url, Path(DEFAULT_COPY_DIR))
    try:
        schema = store.init()
        if args.action == "push":
            return _store_push(store, args.data_dir, args.max_bytes, args.force, args.delete, lang)
        if args.action == "pull":
            return _store_pull(store, args.out, args.force, lang)
        if args.action == "remove":
            return _store_remove(store, args.plans, lang)
        if args.action == "log":
            _store_log(store, args.limit, lang)
        else:
            print(t("store_ready", lang, kind=store.kind, schema=schema, files=len(store.current()),
                    version=store.token()))
    finally:
        store.close()
    return 0


def _store_push(store, data_dir: Path, max_bytes: int, force: bool, delete: bool, lang: str) -> int:
    """The folder's changes since it was pulled, as new versions (plan.edit.push_pull); each plan folder is
    checked like a build first, and again as the store will hold it."""
    return _synced(lambda: push_pull.push(store, data_dir, force=force, delete=delete, max_bytes=max_bytes), lang,
                   lambda counts: t("store_pushed", lang, versions=counts.get("sent", 0) + counts.get("merged", 0),
                                    merged=counts.get("merged", 0), removed=counts.get("removed", 0),
                                    unchanged=counts.get("unchanged", 0), path=data_dir))


def _store_pull(store, out: Path, force: bool, lang: str) -> int:
    try:
        return _synced(lambda: push_pull.pull(store, out, force=force), lang,
                       lambda counts: t("store_pulled", lang, files=counts.get("written", 0),
                                        merged=counts.get("merged", 0), kept=counts.get("kept", 0),
                                        removed=counts.get("removed", 0), path=out, version=store.token()))
    except NotADirectoryError:
        raise UsageError("store_pull_not_folder", path=out) from None


def _synced(command, lang: str, summary) -> int:
    """Run a pull or push: a refusal lists every file and row and exits 1; otherwise what was listed, then the
    summary of its counts."""
    try:
        report = command()
    except push_pull.Refused as refused:
        print("\n".join(push_pull.describe_refusals(refused.report, lang)), file=sys.stderr)
        return 1
    for line in push_pull.describe_listed(report, lang):
        print(line)
    print(summary(report.counts))
    return 0


def _store_remove(store, plans: list[str], lang: str) -> int:
    for plan_id, files in push_pull.remove_plans(store, plans).items():
        print(t("store_removed", lang, plan=plan_id, files=files))
    return 0


def _store_log(store, limit: int, lang: str) -> None:
    entries = store.log(limit)
    if not entries:
        print(t("store_log_empty", lang))
    for seq, version in entries:
        print(f"{seq:>6}  {version.saved_at}  {version.plan_id}/{TABLES_BY_NAME[version.table].file_name}  "
              f"{version.kind:<7}  {version.editor}  {version.sha256[:12]}  {version.message}".rstrip())
