"""QĐ 1804/QĐ-BYT (19/06/2026), for visits from 01/08/2026 ("no later than" that date): a new
MA_LOAI_KCB list of 16 codes (01-09 as before, plus 10 other cases, 11 mobile care, 12 home care,
13 family medicine, 14 telemedicine, 15 periodic health check, 16 screening) and a new MA_KHOA
list (K01-K60, K99, with sub-codes). The field widths do not change (MA_LOAI_KCB stays String 2);
the tables are those of the 1931 amendment.

Source: the decision's original PDF as read by one research note, and two code bases that ship
the 16-code list (medium confidence). The MA_KHOA list is not enforced by kcb06 (departments are
the facility's own catalogue).
"""

from kcb06.interchange.core.versions import qd1931_2026
from kcb06.interchange.core.versions.table import Table

MA_LOAI_KCB = tuple(f"{i:02d}" for i in range(1, 17))

TABLES: dict[str, Table] = dict(qd1931_2026.TABLES)
