"""Password rules beyond Django's own validators (等保: 3 of 4 character classes)."""

import string

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext_lazy

# Django 5.2.19 changed MinimumLengthValidator's message to "%d" while its own zh_Hans catalogue
# still has "%(min_length)d": named here so that makemessages keeps our translation of it.
MINIMUM_LENGTH_MESSAGE = ngettext_lazy(
    "This password is too short. It must contain at least %d character.",
    "This password is too short. It must contain at least %d characters.",
)

CLASSES = (
    string.ascii_lowercase,
    string.ascii_uppercase,
    string.digits,
)


def character_classes(password: str) -> int:
    """How many of lower case, upper case, digits and other characters the password uses."""
    used = sum(any(ch in chars for ch in password) for chars in CLASSES)
    other = any(not any(ch in chars for chars in CLASSES) for ch in password)
    return used + other


class CharacterClassValidator:
    """At least three of: lower-case letters, upper-case letters, digits, other characters."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        if character_classes(password) < self.min_classes:
            raise ValidationError(self.get_help_text(), code="password_too_simple")

    def get_help_text(self):
        return _(
            "The password must use at least three of: lower-case letters, upper-case letters, "
            "digits and other characters."
        )
