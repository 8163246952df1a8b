"""Django admin, in Vietnamese, scoped: a facility admin sees only their own facility's rows."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from kcb06.facilities.adminunits import wards_of
from kcb06.facilities.models import ApiKey, Department, Device, Facility, Role, StaffProfile
from kcb06.facilities.services import create_api_key, revoke_api_key

admin.site.site_header = _("kcb06 — quản trị cơ sở")
admin.site.site_title = _("kcb06 quản trị")
admin.site.index_title = _("Danh mục và người dùng")


def _own_facility_id(request) -> int | None:
    principal = getattr(request, "principal", None)
    return principal.facility_id if principal else None


class FacilityScopedAdmin(admin.ModelAdmin):
    """Limits every list and choice to the admin's facility unless they are a superuser."""

    facility_field = "facility"

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.facility_field}_id": _own_facility_id(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            fid = _own_facility_id(request)
            if db_field.name == "facility":
                kwargs["queryset"] = Facility.objects.filter(pk=fid)
            elif db_field.name == "department":
                kwargs["queryset"] = Department.objects.filter(facility_id=fid)
            elif db_field.name in {"acting_user", "user"}:
                kwargs["queryset"] = get_user_model().objects.filter(staff__facility_id=fid)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class FacilityForm(forms.ModelForm):
    class Meta:
        model = Facility
        fields = [
            "code",
            "name",
            "kind",
            "parent",
            "province_code",
            "ward_code",
            "ward_name",
            "old_province_code",
            "street",
            "portal_username",
            "is_active",
        ]

    def clean(self):
        data = super().clean()
        province, ward = data.get("province_code"), data.get("ward_code")
        if province and ward:
            names = dict(wards_of(province))
            if ward not in names:
                self.add_error(
                    "ward_code",
                    _("Mã xã/phường không thuộc tỉnh/thành đã chọn (danh mục từ 01/07/2025)."),
                )
            elif not data.get("ward_name"):
                data["ward_name"] = names[ward]
                self.instance.ward_name = names[ward]
        return data


@admin.register(Facility)
class FacilityAdmin(admin.ModelAdmin):
    form = FacilityForm
    list_display = ["code", "name", "kind", "parent", "province_code", "is_active"]
    list_filter = ["kind", "province_code", "is_active"]
    search_fields = ["code", "name"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(pk=_own_facility_id(request))

    def has_add_permission(self, request):
        return request.user.is_superuser


@admin.register(Department)
class DepartmentAdmin(FacilityScopedAdmin):
    list_display = ["code", "name", "facility", "room", "accepts_patients"]
    list_filter = ["accepts_patients"]
    search_fields = ["code", "name"]


@admin.register(Device)
class DeviceAdmin(FacilityScopedAdmin):
    list_display = ["name", "kind", "facility", "location", "department", "is_active"]
    list_filter = ["kind", "is_active"]


@admin.register(StaffProfile)
class StaffProfileAdmin(FacilityScopedAdmin):
    list_display = ["full_name", "user", "role", "facility"]
    list_filter = ["role"]
    search_fields = ["full_name", "user__username"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [c for c in Role.choices if c[0] != Role.HEALTH_DEPT]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(ApiKey)
class ApiKeyAdmin(FacilityScopedAdmin):
    list_display = ["name", "prefix", "facility", "acting_user", "created_at", "revoked_at"]
    readonly_fields = ["prefix", "created_at", "revoked_at", "last_used_at"]
    fields = [
        "facility",
        "name",
        "acting_user",
        "prefix",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    actions = ["revoke"]

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        full_key = create_api_key(obj.facility, obj.name, obj.acting_user)
        saved = ApiKey.objects.get(prefix=full_key.split("_")[1])
        obj.pk, obj.prefix = saved.pk, saved.prefix
        messages.warning(
            request,
            _("Khóa API chỉ hiển thị một lần, hãy sao chép ngay: %(key)s") % {"key": full_key},
        )

    @admin.action(description=_("Thu hồi các khóa đã chọn"))
    def revoke(self, request, queryset):
        for key in queryset:
            revoke_api_key(key)
        messages.success(request, _("Đã thu hồi khóa API."))
