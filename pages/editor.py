"""Edit the plan: tables in a grid, uploads, downloads and history, for editors only (see plan.ui.access)."""

from plan import ui
from plan.ui import editor

editor.render(ui.page("editor", filtered=False))  # it edits one plan, chosen on the page
