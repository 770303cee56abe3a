"""API shapes of the case domain. Writes go through cases.services, never straight into the models."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from . import services
from .models import Address, Case, CaseAddress, CasePerson, CaseType, FieldDefinition, Person, Status


def raise_as_api_error(error):
    """A django ValidationError from the services as DRF's 400, field values keyed by their field key."""
    detail = {}
    for name, messages in error.message_dict.items():
        if name == "field_values":
            values = {}
            for message in messages:
                key, _, text = message.partition(": ")
                values.setdefault(key, []).append(text or message)
            detail["field_values"] = values
        else:
            detail[name] = messages
    raise serializers.ValidationError(detail)


class FieldDefinitionSerializer(serializers.ModelSerializer):
    class Meta:
        model = FieldDefinition
        fields = ["id", "key", "label", "kind", "required", "choices", "help_text", "order"]


class StatusSerializer(serializers.ModelSerializer):
    class Meta:
        model = Status
        fields = ["id", "name", "order", "is_initial", "is_closed"]


class CaseTypeSerializer(serializers.ModelSerializer):
    fields = FieldDefinitionSerializer(many=True, read_only=True)
    statuses = StatusSerializer(many=True, read_only=True)

    class Meta:
        model = CaseType
        fields = ["id", "name", "description", "reference_prefix", "person_roles", "address_roles", "document_types", "fields",
                  "statuses"]


class PersonSerializer(serializers.ModelSerializer):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = Person
        fields = ["id", "title", "first_name", "last_name", "full_name", "email", "phone", "date_of_birth",
                  "consent_email", "consent_sms", "consent_letter", "email_failed_at", "email_failed_reason",
                  "phone_failed_at", "phone_failed_reason"]
        read_only_fields = ["email_failed_at", "email_failed_reason", "phone_failed_at", "phone_failed_reason"]

    def save(self, **kwargs):
        person = self.instance or Person()
        for name, value in {**self.validated_data, **kwargs}.items():
            setattr(person, name, value)
        try:
            self.instance = services.person_save(person=person, actor=self.context["request"].user)
        except DjangoValidationError as error:
            raise_as_api_error(error)
        return self.instance


class AddressSerializer(serializers.ModelSerializer):
    lines = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Address
        fields = ["id", "line_1", "line_2", "line_3", "line_4", "town", "county", "postcode", "country", "lines"]

    def save(self, **kwargs):
        address = self.instance or Address()
        for name, value in {**self.validated_data, **kwargs}.items():
            setattr(address, name, value)
        try:
            self.instance = services.address_save(address=address, actor=self.context["request"].user)
        except DjangoValidationError as error:
            raise_as_api_error(error)
        return self.instance


class PersonAddressSerializer(serializers.Serializer):
    address = serializers.PrimaryKeyRelatedField(queryset=Address.objects.all())
    role = serializers.CharField(default="Correspondence")


class CasePersonSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    name = serializers.CharField(source="person.full_name", read_only=True)
    email = serializers.CharField(source="person.email", read_only=True)
    phone = serializers.CharField(source="person.phone", read_only=True)
    consent_email = serializers.BooleanField(source="person.consent_email", read_only=True)
    consent_sms = serializers.BooleanField(source="person.consent_sms", read_only=True)
    consent_letter = serializers.BooleanField(source="person.consent_letter", read_only=True)

    class Meta:
        model = CasePerson
        fields = ["id", "person", "role", "name", "email", "phone", "consent_email", "consent_sms", "consent_letter"]


class CaseAddressSerializer(serializers.ModelSerializer):
    address = serializers.PrimaryKeyRelatedField(queryset=Address.objects.all())
    lines = serializers.ListField(source="address.lines", child=serializers.CharField(), read_only=True)

    class Meta:
        model = CaseAddress
        fields = ["id", "address", "role", "lines"]


@extend_schema_field({
    "description": "Written as a status id or name of the case's type; read as {\"id\", \"name\"}.",
    "oneOf": [
        {"type": "object", "properties": {"id": {"type": "integer"}, "name": {"type": "string"}}},
        {"type": "integer"},
        {"type": "string"},
    ],
})
class StatusField(serializers.Field):
    """A status of the case's type, given by id or by name; shown as {"id", "name"}."""

    def to_representation(self, status):
        return {"id": status.pk, "name": status.name}

    def to_internal_value(self, data):
        return data  # resolved against the case type in CaseSerializer.validate


class CaseSerializer(serializers.ModelSerializer):
    case_type = serializers.PrimaryKeyRelatedField(queryset=CaseType.objects.all())
    status = StatusField(required=False)
    field_values = serializers.DictField(required=False, help_text="Field key to value, checked against the case type.")
    people = CasePersonSerializer(source="person_links", many=True, read_only=True)
    addresses = CaseAddressSerializer(source="address_links", many=True, read_only=True)

    class Meta:
        model = Case
        fields = ["id", "reference", "case_type", "status", "summary", "field_values", "due_date", "created_at",
                  "updated_at", "closed_at", "people", "addresses"]
        read_only_fields = ["reference", "created_at", "updated_at", "closed_at"]

    def validate(self, data):
        case_type = data.get("case_type") or getattr(self.instance, "case_type", None)
        if self.instance is not None and "case_type" in data and data["case_type"] != self.instance.case_type:
            raise serializers.ValidationError({"case_type": ["A case's type cannot change"]})
        if "status" in data:
            data["status"] = self._status(case_type, data["status"])
        return data

    @staticmethod
    def _status(case_type, value):
        statuses = case_type.statuses.all()
        match = [s for s in statuses if str(s.pk) == str(value) or s.name == value]
        if not match:
            names = ", ".join(s.name for s in statuses)
            raise serializers.ValidationError({"status": [f"'{value}' is not a status of {case_type.name}. Use one of: {names}"]})
        return match[0]

    def create(self, validated_data):
        try:
            return services.case_create(actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            raise_as_api_error(error)

    def update(self, instance, validated_data):
        validated_data.pop("case_type", None)
        try:
            return services.case_update(case=instance, actor=self.context["request"].user, **validated_data)
        except DjangoValidationError as error:
            raise_as_api_error(error)
