from django.db import models


class PortalToken(models.Model):
    """The portal token pair of one account, shared by every kcb06 process (a login costs a
    round trip, and the portal may limit logins). Readable only by the server itself."""

    base_url = models.CharField(max_length=255)
    username = models.CharField(max_length=64)
    access_token = models.CharField(max_length=255)
    id_token = models.CharField(max_length=255)
    expires_at = models.DateTimeField()
    obtained_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["base_url", "username"], name="portal_token_account")
        ]
