"""Sphinx with MyST Markdown; CI builds it strictly: sphinx-build -W -b html docs <out>."""

project = "tomtat"
extensions = ["myst_parser"]
source_suffix = {".md": "markdown"}
exclude_patterns = ["_build"]
myst_heading_anchors = 3  # links to #section-names within and across pages
html_theme = "alabaster"
html_title = "tomtat"
