"""The case domain's REST API: case types, cases (with their people and addresses), people, addresses."""

import django_filters
from django.db.models import Prefetch, Q
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from accounts.permissions import requires
from config.validation import parse_id

from . import services
from .models import Address, Case, CaseAddress, CasePerson, CaseType, Person
from .serializers import (
    AddressSerializer,
    CaseAddressSerializer,
    CasePersonSerializer,
    CaseSerializer,
    CaseTypeSerializer,
    PersonAddressSerializer,
    PersonSerializer,
)

# Linking people and addresses to a case is a change to the case.
CHANGE_CASE = requires("cases.change_case")


class CaseFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(method="filter_status", help_text="A status id or name")
    reference = django_filters.CharFilter(lookup_expr="iexact")
    search = django_filters.CharFilter(method="filter_search", help_text="Reference, summary, person or postcode")
    created_after = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")
    created_before = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="lt")
    updated_after = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = Case
        fields = ["case_type"]

    def filter_status(self, queryset, name, value):
        if value.strip().isascii() and value.strip().isdigit():
            status_id = parse_id(value)
            return queryset.filter(status_id=status_id) if status_id else queryset.none()
        return queryset.filter(status__name=value)

    def filter_search(self, queryset, name, value):
        from .selectors import case_search

        return queryset.filter(pk__in=case_search(query=value).values("pk"))


class CaseTypeViewSet(viewsets.ModelViewSet):
    queryset = CaseType.objects.prefetch_related("fields", "statuses")
    serializer_class = CaseTypeSerializer


class CaseViewSet(mixins.CreateModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin,
                  mixins.ListModelMixin, viewsets.GenericViewSet):
    queryset = (
        Case.objects.select_related("case_type", "status")
        .prefetch_related(Prefetch("person_links", queryset=CasePerson.objects.select_related("person")),
                          Prefetch("address_links", queryset=CaseAddress.objects.select_related("address")))
        .order_by("-created_at", "-id")
    )
    serializer_class = CaseSerializer
    filterset_class = CaseFilter

    @extend_schema(request=CasePersonSerializer, responses={201: CasePersonSerializer})
    @action(detail=True, methods=["post"], url_path="people", permission_classes=[CHANGE_CASE])
    def link_person(self, request, pk=None):
        case = self.get_object()
        serializer = CasePersonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.case_link_person(case=case, person=serializer.validated_data["person"],
                                         role=serializer.validated_data["role"], actor=request.user)
        return Response(CasePersonSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"people/(?P<link_id>\d+)", permission_classes=[CHANGE_CASE])
    def unlink_person(self, request, pk=None, link_id=None):
        link = CasePerson.objects.filter(case=self.get_object(), pk=link_id).first()
        if link is None:
            return Response({"detail": "No such person on this case."}, status=status.HTTP_404_NOT_FOUND)
        services.case_unlink(link=link, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=CaseAddressSerializer, responses={201: CaseAddressSerializer})
    @action(detail=True, methods=["post"], url_path="addresses", permission_classes=[CHANGE_CASE])
    def link_address(self, request, pk=None):
        case = self.get_object()
        serializer = CaseAddressSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        link = services.case_link_address(case=case, address=serializer.validated_data["address"],
                                          role=serializer.validated_data["role"], actor=request.user)
        return Response(CaseAddressSerializer(link).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"addresses/(?P<link_id>\d+)", permission_classes=[CHANGE_CASE])
    def unlink_address(self, request, pk=None, link_id=None):
        link = CaseAddress.objects.filter(case=self.get_object(), pk=link_id).first()
        if link is None:
            return Response({"detail": "No such address on this case."}, status=status.HTTP_404_NOT_FOUND)
        services.case_unlink(link=link, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class PersonFilter(django_filters.FilterSet):
    search = django_filters.CharFilter(method="filter_search", help_text="Name or email")

    class Meta:
        model = Person
        fields = ["email"]

    def filter_search(self, queryset, name, value):
        for word in value.split():
            queryset = queryset.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word)
                                       | Q(email__icontains=word))
        return queryset


class PersonViewSet(viewsets.ModelViewSet):
    queryset = Person.objects.all()
    serializer_class = PersonSerializer
    filterset_class = PersonFilter
    http_method_names = ["get", "post", "put", "patch", "head", "options"]

    @extend_schema(request=PersonAddressSerializer, responses={201: PersonAddressSerializer})
    @action(detail=True, methods=["post"], url_path="addresses", permission_classes=[requires("cases.change_person")])
    def link_address(self, request, pk=None):
        """Give the person an address with a role, usually Correspondence (where their letters go)."""
        body = PersonAddressSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        services.person_link_address(person=self.get_object(), address=body.validated_data["address"],
                                     role=body.validated_data["role"])
        return Response(body.data, status=status.HTTP_201_CREATED)


class AddressViewSet(viewsets.ModelViewSet):
    queryset = Address.objects.all().order_by("id")
    serializer_class = AddressSerializer
    filterset_fields = ["postcode"]
    http_method_names = ["get", "post", "put", "patch", "head", "options"]
