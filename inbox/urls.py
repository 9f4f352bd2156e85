from django.urls import path

from inbox import views

urlpatterns = [
    path("", views.home, name="inbox"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
    path("notifications/<str:key>/read/", views.notification_read, name="notification_read"),
    path("counts.json", views.counts, name="inbox_counts"),
    path("search/", views.search, name="search"),
]
