"""Read-only representations of applications for the REST API. ID numbers are always masked."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from applications.models import (
    Application,
    ApplicationEvent,
    DemocraticReview,
    Document,
    HomeVisit,
    Objection,
)


@extend_schema_field(
    inline_serializer(
        "ApplicationHead",
        fields={
            "name": serializers.CharField(),
            "id_number": serializers.CharField(help_text="脱敏身份证号码"),
        },
        allow_null=True,
    )
)
class HeadField(serializers.Field):
    """The household head as {name, id_number (masked)}, from the prefetched `heads`."""

    def __init__(self, **kwargs):
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, application):
        heads = getattr(application.household, "heads", None)
        if heads is None:
            heads = [m for m in application.household.members.all() if m.relation == "head"]
        if not heads:
            return None
        return {"name": heads[0].name, "id_number": heads[0].id_masked}


class ApplicationSerializer(serializers.ModelSerializer):
    community = serializers.CharField(source="household.community_id", read_only=True)
    community_name = serializers.CharField(source="household.community.name", read_only=True)
    head = HeadField()
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    overdue_days = serializers.IntegerField(read_only=True)
    # the same choices as `category`, described once in the schema
    proposed_category = serializers.CharField(
        read_only=True, help_text="街道审核类别（同 category 的取值），未审核为空"
    )

    class Meta:
        model = Application
        fields = [
            "id",
            "household",
            "community",
            "community_name",
            "head",
            "category",
            "category_label",
            "status",
            "status_label",
            "received_on",
            "due_on",
            "overdue_days",
            "proposed_category",
            "proposed_amount",
            "notice_started_on",
            "notice_ends_on",
            "decided_on",
        ]
        read_only_fields = fields

    @extend_schema_field(
        serializers.ChoiceField(
            choices=Application._meta.get_field("residence_basis").choices, allow_null=True
        )
    )
    def get_residence_basis(self, application) -> str | None:
        return application.residence_basis or None


@extend_schema_field(OpenApiTypes.STR)
class StatusText(serializers.CharField):
    """A status code (the values of Application.status), as text in the schema."""


class EventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.__str__", read_only=True)
    from_status = StatusText(read_only=True, help_text="原状态（同 status 的取值），受理时为空")
    to_status = StatusText(read_only=True, help_text="新状态（同 status 的取值）")
    step_label = serializers.CharField(source="get_step_display", read_only=True)

    class Meta:
        model = ApplicationEvent
        fields = [
            "id",
            "step",
            "step_label",
            "verb",
            "from_status",
            "to_status",
            "actor",
            "at",
            "on_date",
            "note",
            "data",
        ]
        read_only_fields = fields


class VisitSerializer(serializers.ModelSerializer):
    class Meta:
        model = HomeVisit
        fields = ["id", "visited_on", "investigators", "findings", "facts_confirmed", "corrections"]


class ReviewSerializer(serializers.ModelSerializer):
    class Meta:
        model = DemocraticReview
        fields = ["id", "held_on", "participants", "representatives", "conclusion", "note"]


class ObjectionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Objection
        fields = ["id", "received_on", "objector", "content"]


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Document
        fields = ["id", "kind", "original_name", "content_type", "size", "uploaded_at"]


class ApplicationDetailSerializer(ApplicationSerializer):
    # Empty for applications received before policy version 2: null then, never an empty string a generated
    # client's enum would refuse.
    residence_basis = serializers.SerializerMethodField(
        help_text="申请地依据：hukou 本地户籍，permit 本地居住证；政策第2版之前受理的申请为 null"
    )
    events = EventSerializer(many=True, read_only=True)
    visits = VisitSerializer(many=True, read_only=True)
    reviews = ReviewSerializer(many=True, read_only=True)
    objections = ObjectionSerializer(many=True, read_only=True)
    documents = DocumentSerializer(many=True, read_only=True)

    class Meta(ApplicationSerializer.Meta):
        fields = [
            *ApplicationSerializer.Meta.fields,
            "reasons",
            "check_authorised",
            "check_authorised_on",
            "residence_basis",
            "residence_months",
            "rules_amount",
            "override_reason",
            "street_reviewed_on",
            "decision_reason",
            "events",
            "visits",
            "reviews",
            "objections",
            "documents",
        ]
        read_only_fields = fields
