"""The bottom layer: one of each basic that every app uses — ID numbers (`idnumber`), money (`money`),
months and working days (`dates`), the API's JSON error body and service errors on forms (`errors`),
dates that cannot lie in the future (`validators`), the one XLSX/CSV writer (`spreadsheets`) and the safe
reading of uploaded workbooks (`workbook_upload`).

It imports nothing from the project's apps and holds no models (the province's own holiday table lives in
`workcalendar` and is handed to `dates.WorkCalendar`), so any app may import it and it can be tested alone.
"""
