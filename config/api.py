"""The REST API's router: every app registers its viewsets here, so /api/ lists them all."""

from django.urls import path
from rest_framework.routers import DefaultRouter

from cases.api import AddressViewSet, CaseTypeViewSet, CaseViewSet, PersonViewSet
from documents.api import case_documents_api, document_api, document_download_api
from governance.api import history_api
from inbox.api import ReceivedTextViewSet, case_reply_api
from integrations.api import IntegrationViewSet
from integrations.log_api import LogEntryViewSet
from mappings.api import MappingTemplateViewSet
from rules.api import BulkJobViewSet, RuleViewSet, case_run_rules_api

# No format suffixes (they would read /api/log/export.csv as the entry "export" in CSV), and an optional
# trailing slash: /api/cases/ and /api/cases both work, and the export is exactly /api/log/export.csv.
router = DefaultRouter()
router.include_format_suffixes = False
router.trailing_slash = "/?"
router.register("case-types", CaseTypeViewSet, basename="casetype")
router.register("cases", CaseViewSet, basename="case")
router.register("people", PersonViewSet, basename="person")
router.register("addresses", AddressViewSet, basename="address")
router.register("integrations", IntegrationViewSet, basename="integration")
router.register("log", LogEntryViewSet, basename="log")
router.register("mapping-templates", MappingTemplateViewSet, basename="mappingtemplate")
router.register("rules", RuleViewSet, basename="rule")
router.register("rule-jobs", BulkJobViewSet, basename="rulejob")
router.register("received-texts", ReceivedTextViewSet, basename="receivedtext")

urlpatterns = [
    # Running rules belongs to the rules app; cases/ knows nothing of rules.
    path("cases/<int:pk>/run-rules/", case_run_rules_api, name="case-run-rules"),
    path("cases/<int:pk>/reply/", case_reply_api, name="case-reply"),
    path("cases/<int:pk>/documents/", case_documents_api, name="case-documents"),
    path("documents/<int:pk>/", document_api, name="document"),
    path("documents/<int:pk>/download/", document_download_api, name="document-download"),
    path("history/", history_api, name="history"),
    *router.urls,
]
