"""Oversight reports (每季一调度、半年一通报、全年一考核): counts, money, timeliness and discrepancies by
region and period, with charts and Excel export. The top of the domain: it reads every app below and nothing
imports it but the URLs."""
