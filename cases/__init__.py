"""The migration history of the tables that households, applications, economic_check, help and imports own.

These apps were once one app called `cases`; their tables still carry its name (`cases_household`, …) so that
no row moved when the code did. This package holds only the migrations that created those tables up to the
split (0001–0007) and the one that hands their state over to the new apps (0008); it has no models and no
code, and nothing imports it. New migrations of those tables belong to the app that owns the model now."""
