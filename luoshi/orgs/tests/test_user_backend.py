"""The signed-in user is loaded with the organization every page's navbar names, in one query
(luoshi.lib.auth.UserBackend), and an account that may not log in is still refused."""

from luoshi.lib.auth import UserBackend


def test_the_user_comes_with_the_organization_in_one_query(
    commerce_reporter, django_assert_num_queries
):
    with django_assert_num_queries(1):
        user = UserBackend().get_user(commerce_reporter.pk)
        assert user.organization.name == "市商务局"


def test_an_inactive_or_missing_account_is_no_user(commerce_reporter):
    commerce_reporter.is_active = False
    commerce_reporter.save(update_fields=["is_active"])
    assert UserBackend().get_user(commerce_reporter.pk) is None
    assert UserBackend().get_user(10**9) is None
