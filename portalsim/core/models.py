from django.db import models


class Account(models.Model):
    """A facility's portal account (username like 01013_BV); password kept as MD5 upper-hex,
    which is what the real portal receives from clients."""

    username = models.CharField(max_length=64, unique=True)
    password_md5 = models.CharField(max_length=32)
    facility_code = models.CharField(max_length=5)


class Officer(models.Model):
    """Registered lookup officer of a facility (CV 1923: name + CCCD, else codes 054/055)."""

    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="officers")
    full_name = models.CharField(max_length=255)
    id_number = models.CharField(max_length=12)


class Token(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE)
    access_token = models.CharField(max_length=64, unique=True)
    id_token = models.CharField(max_length=64)
    expires_at = models.DateTimeField()
    revoked = models.BooleanField(default=False)
