"""The app's URLs plus the floor, for the benchmark only."""

from django.urls import path

from bench.floor.views import insert_one
from councilflow.urls import urlpatterns as app_urlpatterns

urlpatterns = [path("bench/floor/", insert_one, name="bench_floor"), *app_urlpatterns]
