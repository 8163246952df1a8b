"""Hand-written SQL over the facilities tables, for reads other apps make at every request.

Other apps compose these into their own statements instead of naming the facilities tables
themselves: table and column names come from the models. Values go as parameters.
"""

from __future__ import annotations

from functools import cache

from kcb06.facilities.models import Department, Facility


@cache  # the text depends only on the models and the arguments
def department_by_code_sql(columns: str, *extra: str) -> str:
    """SELECT `columns` (aliases d: the department, f: its facility) and `extra` of the
    department with a code at a facility. Parameters after those of `extra`: the facility's
    id, the code."""
    d, f = Department._meta, Facility._meta
    facility = d.get_field("facility").column
    select = ", ".join([columns, *extra])
    return (
        f"SELECT {select} FROM {d.db_table} d "  # noqa: S608 - names from the models
        f"JOIN {f.db_table} f ON f.{f.pk.column} = d.{facility} "
        f"WHERE d.{facility} = %s AND d.{d.get_field('code').column} = %s"
    )
