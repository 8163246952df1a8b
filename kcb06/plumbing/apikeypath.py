"""API calls made with an API key go straight to the API, past the middleware for pages.

A HIS calling `/api/v1/` with `Authorization: Bearer KEY` and no session cookie has nothing for
the session, locale, CSRF, authentication, messages, clickjacking, staff-context and login-
lockout middleware to do: the API checks the key itself (kcb06.api.BearerKey), answers every
message in both languages, takes no cookie and sends JSON, not frames. Those eight still ran
for each call (cost: docs/measurements.md#api-key-middleware-bypass). This middleware, placed
after SecurityMiddleware and WhiteNoise (whose response headers every answer keeps), hands
such calls to the view resolver directly. A call with a session cookie (kcb06's own pages
calling the API) takes the whole chain as before.
"""

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.handlers.base import BaseHandler
from django.core.handlers.exception import convert_exception_to_response
from django.utils import translation

API_PREFIX = "/api/"


class ApiKeyPathMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        resolver = BaseHandler()
        resolver._view_middleware = []
        resolver._template_response_middleware = []
        resolver._exception_middleware = []
        self.to_view = convert_exception_to_response(resolver._get_response)

    def __call__(self, request):
        if not (
            request.path_info.startswith(API_PREFIX)
            and request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
        ):
            return self.get_response(request)
        # What the skipped middleware would have left for a caller without a session.
        request.user = AnonymousUser()
        request.principal = None
        translation.activate(settings.LANGUAGE_CODE)
        response = self.to_view(request)
        # As CommonMiddleware does: a length, not a chunked body, for simple HTTP clients.
        if not response.streaming and not response.has_header("Content-Length"):
            response.headers["Content-Length"] = str(len(response.content))
        return response
