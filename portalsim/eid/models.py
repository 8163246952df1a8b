from django.db import models


class EidToken(models.Model):
    """A synthetic VNeID QR payload and the identity an authentication provider would return."""

    payload = models.CharField(max_length=512, unique=True)
    id_number = models.CharField(max_length=12)
    full_name = models.CharField(max_length=255)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=8)  # "male" | "female"
    expired = models.BooleanField(default=False)
