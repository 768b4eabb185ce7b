"""Named-tuple results of ops returning several tensors (torch.return_types).

Each type is a tuple subclass: it unpacks like a tuple, exposes its fields as
attributes (``.values``, ``.indices``) and prints like torch's structseq types.
"""

from __future__ import annotations


def _structseq(name: str, fields: tuple):
    """A tuple subclass named ``torch.return_types.<name>`` with attribute ``fields``."""

    def __new__(cls, *args, **kwargs):
        if len(args) == 1 and not kwargs and isinstance(args[0], (tuple, list)) \
                and len(args[0]) == len(fields):
            args = tuple(args[0])
        vals = list(args) + [kwargs.pop(f) for f in fields[len(args):] if f in kwargs]
        if kwargs or len(vals) != len(fields):
            raise TypeError(f"torch.return_types.{name}() takes a {len(fields)}-sequence "
                            f"({len(vals)}-sequence given)")
        return tuple.__new__(cls, vals)

    def __repr__(self) -> str:
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self))
        return f"torch.return_types.{name}(\n{body})"

    def __reduce__(self):
        return (type(self), (tuple(self),))

    ns = {"__new__": __new__, "__repr__": __repr__, "__str__": __repr__,
          "__reduce__": __reduce__, "__slots__": (), "_fields": fields,
          "n_fields": len(fields), "n_sequence_fields": len(fields),
          "n_unnamed_fields": 0, "__module__": __name__}
    for i, f in enumerate(fields):
        ns[f] = property(lambda self, i=i: tuple.__getitem__(self, i))
    cls = type(name, (tuple,), ns)
    cls.__qualname__ = name
    return cls


_VI = ("values", "indices")
max = _structseq("max", _VI)  # noqa: A001 - torch's name
min = _structseq("min", _VI)  # noqa: A001 - torch's name
sort = _structseq("sort", _VI)
topk = _structseq("topk", _VI)
kthvalue = _structseq("kthvalue", _VI)
median = _structseq("median", _VI)
nanmedian = _structseq("nanmedian", _VI)
mode = _structseq("mode", _VI)
cummax = _structseq("cummax", _VI)
cummin = _structseq("cummin", _VI)
aminmax = _structseq("aminmax", ("min", "max"))

__all__ = ["max", "min", "sort", "topk", "kthvalue", "median", "nanmedian", "mode",
           "cummax", "cummin", "aminmax"]
