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
            "portal_ma_tinh",
            "lookup_officer",
            "former_route_level",
            "is_active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "lookup_officer" in self.fields:
            # Only people of this facility can be its lookup officer; a kiosk account has no CCCD.
            self.fields["lookup_officer"].queryset = StaffProfile.objects.filter(
                facility_id=self.instance.pk
            ).exclude(role=Role.KIOSK)
        province = self.instance.province_code if self.instance.pk else None
        if province and "ward_code" in self.fields:
            # Wards of the facility's province (2025 units, offline dataset) as a list to pick.
            self.fields["ward_code"] = forms.ChoiceField(
                label=self.fields["ward_code"].label,
                required=False,
                choices=[("", "—")] + [(c, f"{n} ({c})") for c, n in wards_of(province)],
                help_text=_("Danh mục xã/phường từ 01/07/2025; đổi tỉnh thì lưu lại rồi chọn xã."),
            )

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
            else:  # the name always follows the code, from the dataset
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

    def get_readonly_fields(self, request, obj=None):
        # The code, kind and place in the hierarchy decide scope: only a superuser changes them.
        if request.user.is_superuser:
            return []
        return ["code", "kind", "parent", "is_active"]

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Department)
class DepartmentAdmin(FacilityScopedAdmin):
    list_display = ["code", "name", "facility", "room", "accepts_patients", "self_service"]
    list_filter = ["accepts_patients", "self_service"]
    search_fields = ["code", "name"]


@admin.register(Device)
class DeviceAdmin(FacilityScopedAdmin):
    list_display = ["name", "kind", "facility", "location", "department", "is_active"]
    list_filter = ["kind", "is_active"]


class StaffCreationForm(forms.ModelForm):
    """Creates the login and the staff profile together, so a facility admin never needs the
    (superuser-only) user admin and can never hand out superuser or staff-site rights."""

    username = forms.CharField(label=_("Tên đăng nhập"), max_length=150)
    password = forms.CharField(
        label=_("Mật khẩu ban đầu"),
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Ít nhất 8 ký tự; người dùng nên đổi sau lần đăng nhập đầu."),
    )

    class Meta:
        model = StaffProfile
        fields = ["facility", "role", "full_name", "id_number", "practitioner_code"]

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Tên đăng nhập này đã có người dùng."))
        return username

    def clean_password(self):
        from django.contrib.auth import password_validation

        password = self.cleaned_data["password"]
        # The account-to-be, so that the similarity rules see its user name and full name.
        future_user = get_user_model()(
            username=self.cleaned_data.get("username", ""),
            first_name=(self.data.get("full_name") or "")[:150],
        )
        password_validation.validate_password(password, user=future_user)
        return password

    def save(self, commit=True):
        profile = super().save(commit=False)
        user = get_user_model().objects.create_user(
            self.cleaned_data["username"],
            password=self.cleaned_data["password"],
            first_name=self.cleaned_data["full_name"][:150],
        )
        user.is_staff = profile.role == Role.FACILITY_ADMIN
        user.save(update_fields=["is_staff"])
        profile.user = user
        if commit:
            profile.save()
        return profile


@admin.register(StaffProfile)
class StaffProfileAdmin(FacilityScopedAdmin):
    list_display = ["full_name", "user", "role", "facility", "is_active"]
    list_filter = ["role"]
    search_fields = ["full_name", "user__username"]
    actions = ["lock_accounts", "unlock_accounts"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = StaffCreationForm
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [
                "username",
                "password",
                "facility",
                "role",
                "full_name",
                "id_number",
                "practitioner_code",
            ]
        return ["user", "facility", "role", "full_name", "id_number", "practitioner_code"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return []
        return ["user", "facility"]

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [c for c in Role.choices if c[0] != Role.HEALTH_DEPT]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change and "role" in form.changed_data:
            get_user_model().objects.filter(pk=obj.user_id).update(
                is_staff=obj.role == Role.FACILITY_ADMIN
            )
        super().save_model(request, obj, form, change)

    @admin.display(boolean=True, description=_("đang hoạt động"))
    def is_active(self, obj):
        return obj.user.is_active

    @admin.action(description=_("Khóa tài khoản đã chọn"))
    def lock_accounts(self, request, queryset):
        ids = queryset.exclude(user=request.user).values_list("user_id", flat=True)
        get_user_model().objects.filter(pk__in=list(ids), is_superuser=False).update(
            is_active=False
        )
        messages.success(request, _("Đã khóa tài khoản."))

    @admin.action(description=_("Mở khóa tài khoản đã chọn"))
    def unlock_accounts(self, request, queryset):
        ids = queryset.values_list("user_id", flat=True)
        get_user_model().objects.filter(pk__in=list(ids)).update(is_active=True)
        messages.success(request, _("Đã mở khóa tài khoản."))


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
