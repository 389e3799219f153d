from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from iom_housing import i18n, views
from iom_housing.api.auth import ClientCredentialsTokenView
from iom_housing.forms import SignInForm
from iom_housing.security import two_factor

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Sign-in, sign-out and changing one's own password. No reset asked for by email address:
    # accounts hold criminal-offence data, so only a scheme manager sends a link to choose a
    # password (a new account, a forgotten password), and the second factor still guards sign-in.
    path("accounts/login/", auth_views.LoginView.as_view(authentication_form=SignInForm), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/two-factor/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/set-up/", two_factor.setup, name="two_factor_setup"),
    path("accounts/session/keep-alive/", two_factor.keep_alive, name="session_keep_alive"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/set-password/<uidb64>/<token>/", views.PasswordSetView.as_view(), name="password_set"),
    path("accounts/set-password/done/", views.password_set_done, name="password_set_done"),
    path("manage/", views.manage_scheme, name="manage-scheme"),
    # The header's "Cymraeg" / "English" link (signed in or not).
    path("language/<str:language>/", i18n.switch, name="language"),
    path("", include("placements.urls")),
    path("", include("alerts.urls")),
    path("", include("referrals.urls")),
    path("", include("agencies.urls")),
    path("", include("moveon.urls")),
    path("", include("audit.urls")),
    path("", include("reports.urls")),
    path("", include("aftercare.urls")),
    path("", include("casefiles.urls")),
    path("admin/", admin.site.urls),
    # Agencies' case systems: a token by client credentials, then the API. Only the token view of
    # django-oauth-toolkit: clients are registered in the admin, not on its browser pages.
    path("o/token/", ClientCredentialsTokenView.as_view(), name="oauth-token"),
    path("api/", include("iom_housing.api.urls")),
]

handler400 = views.bad_request
handler403 = views.forbidden
handler404 = views.not_found
handler500 = views.server_error
