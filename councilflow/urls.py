from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.generic import RedirectView

from councilflow.forms import SignInForm

admin.site.site_header = "CouncilFlow administration"
admin.site.site_title = "CouncilFlow administration"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="cases:mine"), name="home"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("cases/", include("cases.urls")),
    path("", include("demand.urls")),
    path("capability/", include("cases.capability_urls")),
    path("admin/", admin.site.urls),
]
