"""URLs reversed once for a page that links many objects of one kind.

`reverse()` costs microseconds; a page linking thousands of reports, measures or entries
would spend most of its time in it. `url_template("reporting:report")` reverses once, with a
placeholder for the last argument, and gives each object's URL by formatting it in.
"""

from django.urls import reverse

# Stands for the last argument while the URL is reversed: digits, so that an `<int:pk>`
# converter takes it, and long enough to occur nowhere else in a URL.
_PLACEHOLDER = "9876543210"


class UrlTemplate:
    """`template(pk)` is `reverse(name, args=[*leading_args, pk])`, without the reverse()."""

    def __init__(self, name: str, *leading_args):
        url = reverse(name, args=[*leading_args, _PLACEHOLDER])
        prefix, found, suffix = url.rpartition(_PLACEHOLDER)
        if not found:
            raise ValueError(f"{name}: the last argument does not show in the URL")
        # What comes before and after the last argument. Templates that link many objects
        # write `{{ prefix }}{{ pk }}/` with the prefix alone (reporting's report form).
        self.prefix, self.suffix = prefix, suffix

    def __call__(self, last) -> str:
        return f"{self.prefix}{last}{self.suffix}"


def url_template(name: str, *leading_args) -> UrlTemplate:
    """The URL named `name`, reversed once; call the result with the last argument."""
    return UrlTemplate(name, *leading_args)
