from django.urls import path

from .sso import CallbackView, SignInView
from .two_factor_views import two_factor_setup, two_factor_verify
from .views import LoginView, LogoutView, sso_refused

app_name = "accounts"

urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", LogoutView.as_view(), name="logout"),
    path("sso/", SignInView.as_view(), name="sso"),
    path("sso/callback/", CallbackView.as_view(), name="sso_callback"),
    path("sso/refused/", sso_refused, name="sso_refused"),
    path("two-factor/", two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", two_factor_verify, name="two_factor_verify"),
]
