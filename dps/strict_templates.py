"""StrictUndefined for our own templates only.

GOV.UK Frontend's Jinja port relies on undefined parameters being falsy, so a plain
StrictUndefined breaks every component. This class is strict when the undefined value is made by
one of our templates and lenient when it is made inside the govuk_frontend packages.
"""

from __future__ import annotations

import sys

from jinja2 import Undefined

_LENIENT_PARTS = ("govuk_frontend_jinja", "govuk_frontend_wtf")


def _made_in_govuk_template() -> bool:
    frame = sys._getframe(2)
    while frame is not None:
        filename = frame.f_code.co_filename
        if filename.endswith(".html"):
            return any(part in filename for part in _LENIENT_PARTS)
        frame = frame.f_back
    return False


class OurStrictUndefined(Undefined):
    __slots__ = ("_lenient",)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Jinja passes every macro a `caller` that is undefined unless used with {% call %}.
        self._lenient = self._undefined_hint == "No caller defined" or _made_in_govuk_template()

    def _strict(name: str):  # noqa: N805 - a factory used in the class body
        lenient = getattr(Undefined, name, lambda self, *args: False)

        def method(self, *args):
            if self._lenient:
                return lenient(self, *args)
            return self._fail_with_undefined_error()

        method.__name__ = name
        return method

    __iter__ = _strict("__iter__")
    __str__ = _strict("__str__")
    __len__ = _strict("__len__")
    __eq__ = _strict("__eq__")
    __ne__ = _strict("__ne__")
    __bool__ = _strict("__bool__")
    __hash__ = _strict("__hash__")
    __contains__ = _strict("__contains__")
    del _strict
