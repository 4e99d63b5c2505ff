"""What the doctor hands back: findings, the report, its Markdown file and its plots.

``finding`` (``Finding``, ``Report``), ``markdown`` (``save_report``: report.md
and its PNG figures), ``plots`` and ``plots_sanity`` (the Display objects).
"""
