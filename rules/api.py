"""Rules over the API: CRUD with nested conditions and actions, bulk apply jobs, and running rules on a case."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action, api_view, permission_classes
from rest_framework.response import Response

from accounts.permissions import requires
from cases.models import Case
from mappings.models import MappingTemplate

from .bulk import NotApplicable, bulk_job_cancel, bulk_job_messages, bulk_job_start, bulk_jobs_with_messages
from .models import BulkJob, Rule
from .services import case_run_rules, rule_save


class RuleSerializer(serializers.ModelSerializer):
    conditions = serializers.ListField(child=serializers.DictField(), required=False,
                                       help_text='e.g. [{"subject": {"source": "field", "key": "fee"}, "operator": '
                                                 '"greater_than", "value": "100"}]')
    actions = serializers.PrimaryKeyRelatedField(many=True, queryset=MappingTemplate.objects.all(), required=False,
                                                 help_text="Mapping templates the Apply integration action sends")
    case_update = serializers.ListField(
        child=serializers.DictField(), required=False,
        help_text='The "Update the case" action, e.g. [{"set": "status", "to": "Closed"}, {"set": "field", "key": '
                  '"visit_confirmed", "to": true}, {"set": "consent", "role": "Applicant", "channel": "sms", "to": false}]')

    class Meta:
        model = Rule
        fields = ["id", "name", "case_type", "enabled", "order", "trigger", "trigger_config", "condition_mode",
                  "conditions", "send_once", "manual", "actions", "case_update"]

    def to_representation(self, rule):
        data = super().to_representation(rule)
        data["actions"] = [a.mapping_template_id for a in rule.actions.all()]
        return data

    def _save(self, rule, data):
        mappings = data.pop("actions", None)
        for name, value in data.items():
            setattr(rule, name, value)
        if mappings is None:  # kept as they are (a new rule has none)
            mappings = ([a.mapping_template for a in rule.actions.select_related("mapping_template__integration")]
                        if rule.pk else [])
        try:
            return rule_save(rule=rule, mapping_templates=mappings)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.message_dict) from None

    def create(self, validated_data):
        return self._save(Rule(), validated_data)

    def update(self, instance, validated_data):
        validated_data.pop("case_type", None)
        return self._save(instance, validated_data)


class JobMessagesSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text="Messages Notify accepted")
    failed = serializers.IntegerField(help_text="Messages that failed (built or not)")
    on_its_way = serializers.IntegerField(help_text="Messages queued, retrying or being sent")


class BulkJobSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    messages = serializers.SerializerMethodField()

    class Meta:
        model = BulkJob
        fields = ["id", "rule", "status", "done", "total", "applied", "queued", "not_built", "skipped", "failed",
                  "messages", "error", "resumed", "created_at", "started_at", "finished_at", "url"]

    @extend_schema_field(JobMessagesSerializer)
    def get_messages(self, job):
        if hasattr(job, "messages_sent"):  # listed with bulk_jobs_with_messages: no query per job
            return {"sent": job.messages_sent, "failed": job.messages_failed, "on_its_way": job.messages_on_its_way}
        return bulk_job_messages(job)

    def get_url(self, job) -> str:
        return reverse("api:rulejob-detail", args=[job.pk])


class RuleViewSet(viewsets.ModelViewSet):
    queryset = Rule.objects.prefetch_related("actions")
    serializer_class = RuleSerializer
    filterset_fields = ["case_type", "trigger", "enabled"]
    # Whole rule definitions (conditions, actions) are administrators' settings, in the API as on the rule's page;
    # caseworkers see rule names on the rules list and run rules on a case.
    permission_classes = [requires("rules.change_rule")]

    @extend_schema(request=None, responses={202: BulkJobSerializer})
    @action(detail=True, methods=["post"], permission_classes=[requires("rules.change_rule")])
    def apply(self, request, pk=None):
        try:
            job = bulk_job_start(rule=self.get_object(), actor=request.user)
        except NotApplicable as refusal:
            return Response({"detail": str(refusal)}, status=status.HTTP_400_BAD_REQUEST)
        return Response(BulkJobSerializer(job).data, status=status.HTTP_202_ACCEPTED)


class BulkJobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = bulk_jobs_with_messages(BulkJob.objects.all())
    serializer_class = BulkJobSerializer
    permission_classes = [requires("rules.change_rule")]

    @extend_schema(request=None, responses={200: BulkJobSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        job = self.get_object()
        bulk_job_cancel(job=job)
        job.refresh_from_db()
        return Response(BulkJobSerializer(job).data)


class RunOutcomeSerializer(serializers.Serializer):
    rule = serializers.CharField()
    result = serializers.CharField()
    reason = serializers.CharField()
    log_entries = serializers.ListField(child=serializers.IntegerField())


@extend_schema(request=None, responses={200: RunOutcomeSerializer(many=True)})
@api_view(["POST"])
@permission_classes([requires("rules.run_rules", "cases.change_case")])
def case_run_rules_api(request, pk):
    """Run the case type's rules that may be run by hand on this case, now."""
    case = get_object_or_404(Case, pk=pk)
    outcomes = case_run_rules(case=case)
    return Response([{"rule": o.rule.name, "result": o.result, "reason": o.reason,
                      "log_entries": [e.pk for e in o.entries]} for o in outcomes])
