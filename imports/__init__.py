"""Importing households, members, incomes and enrolments from a county or street office's Excel ledger: the
template, the streaming read and check of every cell (imports/workbook.py), the preview with every error by row
and column, and the all-or-nothing import by a Celery task with its progress."""
