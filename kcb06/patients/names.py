"""Name folding for the patient index: the identity library's rules, so a name scanned from a
card and a name typed by a clerk fold to the same key."""

from kcb06.identity.names import fold_name, name_key

__all__ = ["fold_name", "name_key"]
