"""Password rules for staff accounts, with the messages in Vietnamese.

Django's validators do the checking; these subclasses only say it in the language of the
people who read it (the facility admin creating an account, the user changing a password).
One rule is added to Django's similarity check: a password that *contains* the user name
(`tiepdon2026!`) is refused outright, as the similarity ratio lets long ones through.
"""

from django.contrib.auth import password_validation as django_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(django_validation.MinimumLengthValidator):
    def get_error_message(self):
        return _("Mật khẩu quá ngắn: cần ít nhất %(min_length)d ký tự.") % {
            "min_length": self.min_length
        }

    def get_help_text(self):
        return _("Mật khẩu có ít nhất %(min_length)d ký tự.") % {"min_length": self.min_length}


class CommonPasswordValidator(django_validation.CommonPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu này quá phổ biến, dễ bị đoán.")

    def get_help_text(self):
        return _("Không dùng mật khẩu phổ biến.")


class NumericPasswordValidator(django_validation.NumericPasswordValidator):
    def get_error_message(self):
        return _("Mật khẩu không được chỉ gồm chữ số.")

    def get_help_text(self):
        return _("Mật khẩu không được chỉ gồm chữ số.")


class UserAttributeSimilarityValidator(django_validation.UserAttributeSimilarityValidator):
    MIN_CONTAINED = 3  # shorter user names occur in passwords by chance

    def validate(self, password, user=None):
        if user is not None:
            username = (getattr(user, "username", "") or "").lower()
            if len(username) >= self.MIN_CONTAINED and username in password.lower():
                raise ValidationError(
                    _("Mật khẩu không được chứa tên đăng nhập."),
                    code="password_contains_username",
                )
        super().validate(password, user)

    def get_error_message(self):
        # Django fills %(verbose_name)s with the field's name ("username", "first name").
        return _("Mật khẩu quá giống thông tin cá nhân (%(verbose_name)s).")

    def get_help_text(self):
        return _("Mật khẩu không được giống tên đăng nhập hay họ tên.")
