"""The WSGI application, as gunicorn loads it in each worker (`kcb06 serve`).

Once Django, the URL patterns and the API are loaded, their ~100,000 objects are moved out of
the garbage collector's reach (`gc.freeze`): they live as long as the process. A full
collection otherwise walks all of them while holding the GIL, a pause in which no thread of
the worker answers anything; under a steady load that one pause alone was enough to put the
99th percentile over its target (docs/measurements.md#garbage-collector-freeze). Objects made after
this point are collected as usual.
"""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kcb06.settings")
application = get_wsgi_application()


def _load_and_freeze() -> None:
    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every app's views and the API now
    gc.collect()  # what is garbage already should not be frozen with the rest
    gc.freeze()


_load_and_freeze()
