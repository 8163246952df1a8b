"""Signal receivers: the outbox row is written inside the transaction of the change.

Check-in: XML0 is built at check-in. It is due right after the first cost item
(docs/specs/portal-api.md#check-in-timing); for an outpatient visit the first cost is the
examination ordered at check-in (the department's exam service), so we build it then with that
service as MA_DICH_VU.
Closing / correcting: the GIAMDINHHS package for the visit's current data (a correction after
acceptance becomes a replacement file).

A bug in building must not block reception or closing: it is logged, and the visit then shows
on the overdue page as "no file built".
"""

import logging

from django.db import DatabaseError, transaction

from kcb06.interchange import outbox
from kcb06.interchange.core import package

log = logging.getLogger("kcb06.interchange")


def _user(principal):
    return getattr(principal, "user", None)


def on_checked_in(sender, visit, principal=None, fresh=False, identifiers=None, **kwargs):
    if fresh:
        # A just-minted MA_LK: building is plain Python and the one INSERT cannot conflict,
        # so no savepoint is needed (two round trips saved at every check-in). A building
        # bug is still caught before anything is written.
        try:
            outbox.enqueue_checkin(visit, _user(principal), fresh=True, identifiers=identifiers)
        except DatabaseError:
            raise  # the transaction is unusable: the check-in fails whole and says so
        except Exception:  # noqa: BLE001 - see module docstring
            log.exception("check-in file for visit %s could not be built", visit.pk)
        return
    try:
        # A savepoint: a database error while building rolls back only this, so the
        # check-in transaction around it stays usable and still commits.
        with transaction.atomic():
            outbox.enqueue_checkin(visit, _user(principal))
    except Exception:  # noqa: BLE001 - see module docstring
        log.exception("check-in file for visit %s could not be built", visit.pk)


def on_closed(sender, visit, principal=None, **kwargs):
    try:
        with transaction.atomic():
            outbox.enqueue_claim(visit, _user(principal))
    except Exception:  # noqa: BLE001 - see module docstring
        log.exception("claim file for visit %s could not be built", visit.pk)


def on_closing(sender, visit, principal=None, **kwargs) -> list[dict]:
    """The errors the claim file of the closure just written would have: the same builder and
    validator as the outbox, so the closing form can refuse before the visit closes. A bug in
    building answers no errors (the closing goes on; see the module docstring)."""
    from kcb06.interchange.mapper import visit_data
    from kcb06.interchange.rulesettings import policy_for
    from kcb06.visits.models import Visit

    try:
        with transaction.atomic():
            fresh = Visit.objects.select_related("patient", "facility", "department").get(
                pk=visit.pk
            )
            return package.build_claim(visit_data(fresh), policy_for(fresh.facility))[1]
    except DatabaseError:
        raise
    except Exception:  # noqa: BLE001 - see module docstring
        log.exception("claim check for visit %s could not run", visit.pk)
        return []


def connect() -> None:
    from kcb06.healthbook.signals import visit_closed, visit_closing, visit_corrected
    from kcb06.visits.signals import visit_checked_in

    visit_checked_in.connect(on_checked_in, dispatch_uid="interchange.checkin")
    visit_closing.connect(on_closing, dispatch_uid="interchange.closing")
    visit_closed.connect(on_closed, dispatch_uid="interchange.closed")
    visit_corrected.connect(on_closed, dispatch_uid="interchange.corrected")
