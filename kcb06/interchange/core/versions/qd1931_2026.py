"""QĐ 1931/QĐ-BYT (29/06/2026), an amendment of the data standard, for visits from 01/07/2026:
MUC_HUONG (XML2, XML3) up to 4 characters, so that the 50 % shares of QĐ 3276 that start on the
same day (e.g. 95 × 50 % = 47.5) fit.

LOW CONFIDENCE: the decision's text was not read; its number and the 4-character width come
from one news source and one implementation. Whether a decimal point is allowed is not
confirmed: we allow one ("47.5") — without it such a share could not be written at all. The
new SO_DANG_KY form for rare imported drugs (UBND.YYYY.X.S) is a code rule, not a table change.
"""

from kcb06.interchange.core.versions import qd3176
from kcb06.interchange.core.versions.table import Table


def _tables() -> dict[str, Table]:
    tables = dict(qd3176.TABLES)
    for code in ("XML2", "XML3"):
        tables[code] = tables[code].changed("MUC_HUONG", size="4")
    return tables


TABLES: dict[str, Table] = _tables()
