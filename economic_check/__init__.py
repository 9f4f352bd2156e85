"""The economic check (经济状况核对) of an application's household at intake, 赣发〔2018〕7号 四(三)、六(三):
each member asked of every department source, the comparisons (pure functions in economic_check/rules.py), the
contradictions the caseworker must explain and the applicant's objections. The sources are adapters: ledgers
registers the one that reads loaded department extracts (economic_check/sources.py owns the protocol and the
registry), so the check never imports ledgers."""
