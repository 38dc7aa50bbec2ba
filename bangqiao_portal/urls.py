from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from core.views import PasswordChange, health, pick
from oversight.views import home

admin.site.site_header = _("Baqiao Pro-Business Service Portal")
admin.site.site_title = _("Baqiao Pro-Business Service Portal")

urlpatterns = [
    path("", home, name="home"),
    path("health/", health, name="health"),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", PasswordChange.as_view(), name="password_change"),
    # A search picker's options (core/pickers.py): one endpoint for every form's pickers.
    path("pick/<str:kind>/", pick, name="pick"),
    path("issues/", include("issues.urls")),
    path("enterprises/", include("organisation.urls")),
    path("cadres/", include("visits.urls")),
    path("notifications/", include("notifications.urls")),
    path("exports/", include("core.urls")),
    path("oversight/", include("oversight.urls")),
    path("supervision/", include("supervision.urls")),
    path("assessment/", include("assessment.urls")),
    path("", include("voice.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own password page would compare the old password uncounted: it sends to the portal's.
    path("admin/password_change/", RedirectView.as_view(pattern_name="password_change")),
    path("admin/", admin.site.urls),
]

# No /media/ here, in development either: uploaded files are served only by views that check who
# asks (the policy attachment: visits.views.policy_attachment), never as a folder (issue 11).
