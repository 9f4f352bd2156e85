from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views, views_api, views_exports

urlpatterns = [
    path("overview/", views.overview, name="overview"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
    path("lockouts/", views.lockout_list, name="lockout_list"),
    path("healthz", views.healthz, name="healthz"),
    path("api-clients/", views_api.client_list, name="api_client_list"),
    path("api-clients/new/", views_api.client_edit, name="api_client_create"),
    path("api-clients/<int:pk>/", views_api.client_detail, name="api_client_detail"),
    path("api-clients/<int:pk>/edit/", views_api.client_edit, name="api_client_edit"),
    path("api-clients/<int:pk>/keys/<int:key_id>/revoke/", views_api.key_revoke, name="api_key_revoke"),
    path("access-log/", views_api.access_log, name="access_log"),
    path("exports/", views_exports.export_job_list, name="export_job_list"),
    path("exports/<int:pk>/", views_exports.export_job_detail, name="export_job_detail"),
    path("exports/<int:pk>/status", views_exports.export_job_status, name="export_job_status"),
    path("exports/<int:pk>/download", views_exports.export_job_download, name="export_job_download"),
]
