"""The province's own holiday table: the statutory holidays and adjusted working days (调休) of the years the
`chinese-calendar` package does not yet know (or a correction to one it does), entered by the province in the
admin. `workcalendar.calendar.work_calendar()` gives the `common.dates.WorkCalendar` every working-day deadline is counted with.

It sits at the bottom next to `accounts`: it imports only `common`, and every app may import it.
"""
