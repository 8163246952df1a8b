"""The demo ships a catalogue for 27901 (and 27903), and the demo's closed visits bill from it: distinct
drug codes, SO_DANG_KY and TT_THAU in the portal's format (issue #19 measured 9 of 9 drug lines
with TT_THAU empty and one code for every drug)."""

import re

from kcb06.catalogue.models import Drug
from kcb06.healthbook.models import Prescription
from kcb06.interchange.models import OutboxItem


def test_demo_visits_bill_drugs_from_the_demo_catalogue(db):
    from kcb06.demo import seed_all

    seed_all()
    drugs = Drug.objects.filter(facility__code="27901")
    assert drugs.count() >= 10
    assert all(re.fullmatch(r"[^;]+;[^;]+;[^;]+;20\d\d", d.tender) for d in drugs)
    lines = Prescription.objects.filter(
        visit__facility__code="27901", visit__ma_lk__contains="9000"
    )
    assert lines.count() >= 7
    assert len({p.drug_code for p in lines}) == lines.count()
    assert all(p.tender and p.registration and p.catalogue_item_id and p.billable for p in lines)
    for item in OutboxItem.objects.filter(kind="claim", visit__in=[p.visit_id for p in lines]):
        xml2 = item.tables["XML2"]
        assert re.search(r"<TT_THAU>[^<]+</TT_THAU>", xml2), xml2
        assert re.search(r"<SO_DANG_KY>(VD|QLSP)-[^<]+</SO_DANG_KY>", xml2)
        assert "00.0000" not in xml2
