"""Help beyond money (赣发〔2018〕7号 五(二), 五(四), 五(八), 六(二), 六(三)): leads of people who may need
help (主动发现) reported by caseworkers, helpers and departments; pairings of cadres with households (结对帮扶);
job help for able members; school-age children and their aid; charity offers matched to published needs.
Each part is its own services module over shared checks (help/services/checks.py)."""
