"""REST representations of extracts, their bad rows and the findings a department's extracts led to."""

from __future__ import annotations

from rest_framework import serializers

from accounts.kinds import KINDS, PROGRAMS
from ledgers.describe import describe
from ledgers.models import Extract, ExtractError, Finding


class ExtractUploadSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="CSV（UTF-8 或 GB18030）或 XLSX，首行为表头")
    kind = serializers.ChoiceField(choices=[(k, v.label) for k, v in KINDS.items()], help_text="数据类型")
    program = serializers.ChoiceField(
        choices=[(k, v.label) for k, v in PROGRAMS.items()],
        required=False,
        allow_blank=True,
        help_text="待遇项目（kind=benefit 时必填）",
    )
    period = serializers.CharField(required=False, help_text="比对期，如 2025H2；默认刚结束的半年")
    mode = serializers.ChoiceField(
        choices=Extract.Mode.choices,
        default=Extract.Mode.STRICT,
        help_text="strict：有错误行则全部不导入；lenient：导入正确行；check：校验后等待 load/discard",
    )


class ExtractSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(read_only=True)
    status = serializers.CharField(
        read_only=True,
        help_text=(
            "uploaded 已上传 / validating 校验中 / checked 已校验待确认 / loaded 已导入 / rejected 有错误行未导入 / "
            "discarded 已放弃 / failed 无法读取"
        ),
    )
    mode = serializers.CharField(read_only=True, help_text="strict / lenient / check")
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = Extract
        fields = [
            "id",
            "kind",
            "kind_label",
            "program",
            "period",
            "region",
            "original_name",
            "size",
            "sha256",
            "mode",
            "status",
            "status_label",
            "rows_checked",
            "rows_total",
            "rows_good",
            "rows_bad",
            "rows_loaded",
            "error",
            "created_at",
            "validated_at",
            "loaded_at",
        ]
        read_only_fields = fields


class ExtractErrorSerializer(serializers.ModelSerializer):
    class Meta:
        model = ExtractError
        fields = ["line", "field", "message", "value"]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    rule_label = serializers.CharField(read_only=True)
    period = serializers.CharField(source="run.period", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    description = serializers.SerializerMethodField(help_text="疑点说明")
    review_status = serializers.SerializerMethodField(
        help_text="核实状态：open/confirmed/false_alarm/superseded"
    )

    class Meta:
        model = Finding
        fields = [
            "id",
            "run",
            "period",
            "rule",
            "rule_label",
            "id_number",
            "name",
            "source",
            "extract",
            "region",
            "description",
            "detail",
            "review_status",
            "created_at",
        ]
        read_only_fields = fields

    def get_description(self, finding) -> str:
        return describe(finding.rule, finding.detail)

    def get_review_status(self, finding) -> str | None:
        task = getattr(finding, "task", None)
        return task.status if task else None
