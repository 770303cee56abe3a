"""Building blocks for rules tests: a mapping template, rules, and cases with an applicant."""

from cases import services
from cases.models import CaseType
from integrations.models import Integration
from mappings.models import MappingTemplate, PlaceholderMapping
from rules.models import Action, Rule, Trigger
from tests.factories import PersonFactory, make_case

TEMPLATE_ID = "f33517ff-2a88-4f6e-b855-c550268ce08a"
CONSENTED = {"subject": {"source": "person", "role": "Applicant", "detail": "consent_email"}, "operator": "is_true"}


def make_mapping(integration=None, template_id=TEMPLATE_ID, case_type=None):
    """An email mapping template: the Applicant's first name and the decision field."""
    integration = integration or Integration.objects.create(name="Planning", enabled=True)
    case_type = case_type or CaseType.objects.get(name="Planning application")
    template = MappingTemplate.objects.create(
        name="Decision email", integration=integration, case_type=case_type, channel="email",
        notify_template_id=template_id,
        template_version=1, recipient={"source": "person", "role": "Applicant"},
    )
    PlaceholderMapping.objects.create(mapping_template=template, placeholder="name",
                                      source={"source": "person", "role": "Applicant", "detail": "first_name"})
    PlaceholderMapping.objects.create(mapping_template=template, placeholder="decision",
                                      source={"source": "field", "key": "decision"})
    return template


def make_rule(case_type, mapping, **fields):
    defaults = {"name": "Send the decision", "trigger": Trigger.STATUS_CHANGED,
                "trigger_config": {"to": "Decision issued"}, "conditions": [CONSENTED]}
    rule = Rule.objects.create(case_type=case_type, **{**defaults, **fields})
    Action.objects.create(rule=rule, mapping_template=mapping)
    return rule


def applicant_case(case_type, consent=True, **person):
    applicant = PersonFactory(first_name="Amira", consent_email=consent, **person)
    return make_case(case_type, field_values={"decision": "Approved"}, people=[(applicant, "Applicant")])


def decide(case, case_type, status="Decision issued"):
    return services.case_update(case=case, status=case_type.statuses.get(name=status))


