from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from common.dates import PACKAGE_YEARS
from workcalendar.models import CalendarDay, CalendarYear


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 10
    fields = ("date", "is_working_day", "name")


@admin.register(CalendarYear)
class CalendarYearAdmin(SimpleHistoryAdmin):
    list_display = ("year", "source", "rest_days", "working_days")
    inlines = [CalendarDayInline]

    def get_queryset(self, request):
        from django.db.models import Count, Q

        return (
            super()
            .get_queryset(request)
            .annotate(
                rest=Count("days", filter=Q(days__is_working_day=False)),
                work=Count("days", filter=Q(days__is_working_day=True)),
            )
        )

    @admin.display(description="放假日（工作日）")
    def rest_days(self, obj) -> int:
        return obj.rest

    @admin.display(description="调休上班日（周末）")
    def working_days(self, obj) -> int:
        return obj.work

    def changelist_view(self, request, extra_context=None):
        known = f"{min(PACKAGE_YEARS)}–{max(PACKAGE_YEARS)}" if PACKAGE_YEARS else "无"
        extra_context = {
            **(extra_context or {}),
            "title": f"节假日安排年份（软件内置 {known} 年的国家安排；其后的年份请在此录入）",
        }
        return super().changelist_view(request, extra_context)
