"""The health book as a FHIR R4 Bundle (type "collection") so other software can read it.

Built from `rows.read_book_rows`: plain tuples, no model instance per row, in a fixed number
of queries whatever the length of the history (the export of a book of 200 visits and 1,000
entries holds ~2,800 resources, so the cost per row is what matters). Resource ids
are internal ids prefixed by type, never ID or card numbers. Patient.identifier carries the
internal id and, so that another system can tell whose book it is, the personal ID number,
the BHYT card number and the BHXH number when known, each under a stable system URI
(IDENTIFIER_SYSTEMS, listed in docs/healthbook.md); the export itself stays behind the
clinician's access, the consent and the audit log. Codes: ICD-10 (http://hl7.org/fhir/sid/icd-10), the Vietnamese
code lists by their kcb06 URIs.

One function per resource type: the patient and the book's entries in `book`, a visit's
Encounter, diagnoses, prescriptions and results in `visits`, shared codes in `common`.
"""

from django.utils import timezone

from kcb06.healthbook.fhir import book, visits
from kcb06.healthbook.fhir.common import IDENTIFIER_SYSTEMS, collector_paused, entry, iso, ref

__all__ = ["IDENTIFIER_SYSTEMS", "bundle", "collector_paused"]


def bundle(rows) -> dict:
    """Plain dicts from plain rows (rows.BookRows): thousands of resources stay cheap."""
    tz = timezone.get_current_timezone()
    p = rows.patient
    pid = f"p{p.pk}"
    subject = ref("Patient", pid)
    entries = []
    append = entries.append
    append(entry(book.patient(p, rows.identifiers, pid)))
    sections = book.sections()
    for row in rows.entries:
        append(entry(book.book_entry(row, subject, tz, sections)))
    for visit in rows.visits:
        visits.visit_resources(visit, rows, subject, tz, append)
    return {
        "resourceType": "Bundle",
        "id": f"healthbook-p{p.pk}",  # FHIR ids allow [A-Za-z0-9-.] only
        "type": "collection",
        "timestamp": iso(timezone.now(), tz),
        "entry": entries,
    }
