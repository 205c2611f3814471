"""Who may change the plan. Asked when the navigation is drawn, when the editor page runs, and
again on the server side of every save (a raw client can send any widget value).

    secrets `[auth]` + `editors` (e-mails)           -> st.login: the signed-in users on the list
    else secret `editor_password` / PLAN_EDITOR_PASSWORD -> the sessions that typed it
    else PLAN_LOCAL_EDIT=1 (`make run`)              -> anyone who reaches this local app
    else                                              -> nobody: a read-only link

Never inferred from request headers (a proxy can forge them). The unlocked state lives in a
session key no widget has, so a client cannot set it.
"""

import getpass
import hmac
import os
import threading
import time

import streamlit as st

from plan.model.i18n import t
from plan.ui import literal

UNLOCKED_KEY = "_editor_unlocked"  # the name a right password was given with; set only by `_unlock`
NAME_KEY, PASSWORD_KEY, WRONG_KEY = "editor_name", "editor_password", "_editor_wrong_password"
FAILED_DELAY_S = 2.0  # after a wrong password; one at a time per server, so guessing stays slow
_wrong_password = threading.Lock()


def _secret(name: str):
    try:
        return st.secrets.get(name)
    except FileNotFoundError:  # no secrets file at all
        return None


def _password() -> str:
    return str(_secret("editor_password") or os.environ.get("PLAN_EDITOR_PASSWORD", ""))


def _editors() -> set[str]:
    return {str(email).strip().lower() for email in (_secret("editors") or [])}


def mode() -> str:
    """"login", "password", "local" or "read_only"."""
    if _secret("auth") and _editors():
        return "login"
    if _password():
        return "password"
    if os.environ.get("PLAN_LOCAL_EDIT") == "1":
        return "local"
    return "read_only"


def editor() -> str | None:
    """The name under which this session may save (kept in the history), or None."""
    current = mode()
    if current == "login":
        email = str(st.user.get("email") or "").strip().lower()
        return email if st.user.get("is_logged_in") and email in _editors() else None
    if current == "password":
        return st.session_state.get(UNLOCKED_KEY)
    if current == "local":
        return f"{getpass.getuser()} (local)"
    return None


def ask(lang: str) -> None:
    """What the editor page shows to a session that may not edit: the way in, or why there is none."""
    current = mode()
    if current == "login":
        if st.user.get("is_logged_in"):
            st.warning(t("access_not_on_list", lang, email=literal(str(st.user.get("email") or ""))))
            st.button(t("access_logout", lang), on_click=st.logout)
        else:
            st.info(t("access_login_needed", lang))
            st.button(t("access_login", lang), on_click=st.login, type="primary")
    elif current == "password":
        _password_form(lang)
    else:
        st.info(t("access_read_only", lang))


def _password_form(lang: str) -> None:
    with st.form("editor-login"):
        st.text_input(t("access_name", lang), max_chars=60, help=t("access_name_help", lang), key=NAME_KEY)
        st.text_input(t("access_password", lang), type="password", key=PASSWORD_KEY)
        st.form_submit_button(t("access_unlock", lang), type="primary", on_click=_unlock, args=(lang,))
    if st.session_state.pop(WRONG_KEY, False):
        st.error(t("access_wrong_password", lang))


def _unlock(lang: str) -> None:
    """The form's callback (it runs before the page, so the page already shows the editor)."""
    given = str(st.session_state.pop(PASSWORD_KEY, "") or "")
    if hmac.compare_digest(given.encode("utf-8"), _password().encode("utf-8")):
        who = str(st.session_state.get(NAME_KEY) or "").strip() or t("access_someone", lang)
        st.session_state[UNLOCKED_KEY] = f"{who} ({t('access_by_password', lang)})"
        return
    with _wrong_password:
        time.sleep(FAILED_DELAY_S)
    st.session_state[WRONG_KEY] = True


def lock_button(lang: str) -> None:
    """Let a password session give up its editor right (a shared computer)."""
    if mode() == "password" and st.session_state.get(UNLOCKED_KEY):
        st.button(t("access_lock", lang), on_click=lambda: st.session_state.pop(UNLOCKED_KEY, None))
