"""The REST API's router: every app registers its viewsets here, so /api/ lists them all."""

from rest_framework.routers import DefaultRouter

from cases.api import AddressViewSet, CaseTypeViewSet, CaseViewSet, PersonViewSet
from integrations.api import IntegrationViewSet

router = DefaultRouter()
router.register("case-types", CaseTypeViewSet, basename="casetype")
router.register("cases", CaseViewSet, basename="case")
router.register("people", PersonViewSet, basename="person")
router.register("addresses", AddressViewSet, basename="address")
router.register("integrations", IntegrationViewSet, basename="integration")

urlpatterns = router.urls
