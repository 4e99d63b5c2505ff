"""What the doctor hands back: findings, the report, its Markdown file and its plots.

``finding`` (``Finding``, ``Report``), ``ranking`` (root causes first, their
symptoms folded under them, by ``catalog.causes``), ``merging`` (one finding
per code, its layers listed), ``markdown`` (``save_report``: report.md
and its PNG figures), ``html`` (``save_html``: one self-contained web page),
``figures`` (which figures a report has, drawn for both), ``plots`` and
``plots_sanity`` (the Display objects).
"""
