"""Facility scope of the catalogue pages (collected by tests/platform/test_scope.py).

Catalogues hold no patient data: each facility sees and changes only its own (the services take
the facility from the signed-in admin, never from the URL), checked in tests/catalogue."""

from tests.platform.scope import Exempt

CASES = []
EXEMPT = [
    Exempt("catalogue:index", "the facility's own catalogues, no patient data"),
    Exempt("catalogue:upload", "imports into the admin's own facility, no patient data"),
    Exempt("catalogue:preview", "an import of the admin's own facility, no patient data"),
    Exempt("catalogue:confirm", "an import of the admin's own facility, no patient data"),
    Exempt("catalogue:discard", "an import of the admin's own facility, no patient data"),
    Exempt("catalogue:search", "catalogue search of the user's facility, no patient data"),
    Exempt("catalogue:rows", "the facility's own catalogue rows, no patient data"),
    Exempt("catalogue:export", "the facility's own catalogue as XLSX, no patient data"),
]
