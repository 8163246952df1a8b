"""A table of a regulation version: element names, kinds, lengths and required flags, and the
helpers later versions use to patch an earlier version's tables (rename, remove, insert, change
a length)."""

from dataclasses import dataclass, replace
from functools import cached_property

Field = tuple[str, str, str, str, str]  # (name, kind, 4750-style max, portal max, required)


@dataclass(frozen=True)
class Table:
    code: str  # LOAIHOSO: XML0 (check-in), XML1 ... XML14
    root: str  # root element
    list_path: tuple[str, ...]  # wrapper + repeated record element, () for a flat record
    fields: tuple[Field, ...]

    @cached_property
    def names(self) -> tuple[str, ...]:
        return tuple(f[0] for f in self.fields)

    @cached_property
    def tags(self) -> tuple[tuple[str, str, str, str], ...]:
        """(name, "<NAME>", "</NAME>", "<NAME/>") per field: the builders' hot loop."""
        return tuple((n, f"<{n}>", f"</{n}>", f"<{n}/>") for n in self.names)

    @property
    def repeated(self) -> bool:
        return bool(self.list_path)

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f[0] == name:
                return f
        raise KeyError(f"{self.code}.{name}")

    # --- patches (each returns a new table; the earlier version's table is left as it is) ----

    def changed(self, field_name: str, /, **what: str) -> "Table":
        """Change one field's kind, size, portal size, required flag, or its name."""
        keys = ("name", "kind", "size", "portal", "required")
        out = []
        for f in self.fields:
            if f[0] == field_name:
                values = dict(zip(keys, f, strict=True))
                values.update(what)
                f = tuple(values[k] for k in keys)
            out.append(f)
        if field_name not in self.names:
            raise KeyError(f"{self.code}.{field_name}")
        return replace(self, fields=tuple(out))

    def without(self, *names: str) -> "Table":
        missing = set(names) - set(self.names)
        if missing:
            raise KeyError(f"{self.code}: {sorted(missing)}")
        return replace(self, fields=tuple(f for f in self.fields if f[0] not in names))

    def inserted_after(self, after: str, new: Field) -> "Table":
        out = []
        for f in self.fields:
            out.append(f)
            if f[0] == after:
                out.append(new)
        if after not in self.names:
            raise KeyError(f"{self.code}.{after}")
        return replace(self, fields=tuple(out))


def effective_max(size: str, portal: str) -> str:
    """The stricter of the regulation's maximum and the portal sheet's ("n" = no maximum):
    the XSD uses this, so a value the portal would cut or refuse is caught before sending."""
    if not portal:
        return size
    if not size.isdigit():
        return portal
    return str(min(int(size), int(portal))) if portal.isdigit() else size
