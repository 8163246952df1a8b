"""English interface: the same dates as Vietnamese (see kcb06/formats), so a clerk who switches
the interface language still types and reads dd/mm/yyyy; only the number separators differ."""

from kcb06.formats.vi.formats import *  # noqa: F403

DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
