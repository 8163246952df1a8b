"""How much a request may ask of the server: sizes, counts and id ranges, in one place.

Bad input must cost a 4xx and a few milliseconds, never a 500 or a minute of CPU (issue "Trust"
#15). Each limit is far above what a clerk, a clinician or a HIS sends in normal work and far
below what would hold a web thread; docs/api.md lists them. The body sizes can be changed with
environment variables (docs/configuration.md); the others are part of the API contract.
"""

from kcb06.env import env_int

# Bodies (checked from Content-Length before anything reads the body: kcb06.requestbody).
MAX_API_BODY_BYTES = env_int("KCB06_MAX_API_BODY_BYTES", 1024 * 1024)  # JSON to /api/
MAX_FORM_BYTES = env_int("KCB06_MAX_FORM_BYTES", 1024 * 1024)  # url-encoded page forms
MAX_UPLOAD_BYTES = env_int("KCB06_MAX_UPLOAD_BYTES", 10 * 1024 * 1024)  # multipart (photos)

# Ids: database primary keys are signed 64-bit integers; anything outside is no id of ours.
MAX_ID = 2**63 - 1

# Patient search by name: each word is one LIKE over the name index.
SEARCH_MAX_CHARS = 200
SEARCH_MAX_WORDS = 8

# A person's name as stored (Patient.full_name is 255 characters).
NAME_MAX_CHARS = 255

# Visit closure: rows of each kind (drugs, results, services, progress notes).
CLOSURE_MAX_ROWS = 100
CLOSURE_MAX_SECONDARY = 12  # QĐ 4750 MA_BENH_KT
# Free text of one closure field (summary, note, one progress note, ...).
TEXT_MAX_CHARS = 4000


def parse_id(value) -> int | None:
    """A positive id from a form or query string, or None when it is not one (letters, a
    decimal point, a sign, or beyond 64 bits): the caller answers 400 instead of letting the
    database raise on a number it cannot hold."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None


def parse_count(value, *, default: int, most: int) -> int | None:
    """A row count from a hidden form field: `default` when empty, None when not a whole
    number from 0 to `most`."""
    text = str(value if value is not None else "").strip()
    if not text:
        return default
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        return None
    number = int(text)
    return number if number <= most else None
