"""Who may see what (analysis/access.py), checked against the issue's words role by role:
the expected answers below are written out by hand from the issue ("Boards in practice"),
not derived from the code, for every role x kind of table x scope."""

from __future__ import annotations

import itertools

import pytest

from analysis import access
from analysis.access import Viewer

MINE, OTHER = "greater-manchester", "london"
#: Scopes as (kind, the RCC it lies in).
SCOPES = {"england": ("england", None), "region": ("region", None),
          "my rcc": ("rcc", MINE), "my la": ("la", MINE),
          "other rcc": ("rcc", OTHER), "other la": ("la", OTHER)}
VIEWERS = {"anonymous": access.ANONYMOUS,
           "provider": Viewer("provider", email="p@home.org", provider="PROV-1", how="local"),
           "trustee": Viewer("trustee", email="t@rcc.org", rccs=frozenset({MINE}), how="oidc"),
           "adcs": Viewer("adcs", email="a@rcc.org", rccs=frozenset({MINE}), how="oidc"),
           "nsg": Viewer("nsg", email="n@nsg.org", how="oidc"),
           "analyst": Viewer("analyst", email="x@rcc.org", how="local")}
EVERYWHERE = set(SCOPES)
MY_RCC = {"my rcc", "my la"}
#: role -> kind -> the scopes where it may be seen: the issue's "Roles" item, by hand.
EXPECTED = {
    "anonymous": {"published": EVERYWHERE},
    "provider": {"published": EVERYWHERE, "forecast": EVERYWHERE,
                 "needs": {"england", "region", "my rcc", "other rcc"}, "own": EVERYWHERE},
    "trustee": {"published": EVERYWHERE, "forecast": EVERYWHERE, "needs": MY_RCC,
                "aggregate": MY_RCC},
    "adcs": {"published": EVERYWHERE, "forecast": EVERYWHERE, "needs": MY_RCC,
             "aggregate": MY_RCC},
    "nsg": {"published": EVERYWHERE, "forecast": EVERYWHERE, "needs": EVERYWHERE,
            "aggregate": EVERYWHERE},
    "analyst": {kind: EVERYWHERE for kind in access.KINDS},
}


@pytest.mark.parametrize("role, kind, scope",
                         list(itertools.product(VIEWERS, access.KINDS, SCOPES)))
def test_each_role_sees_what_the_issue_gives_it(role, kind, scope):
    """Every cell of the role x kind x scope matrix, both ways (may and require)."""
    expected = scope in EXPECTED[role].get(kind, set())
    viewer = VIEWERS[role]
    assert access.may(viewer, kind, *SCOPES[scope]) is expected
    if expected:
        access.require(viewer, kind, *SCOPES[scope])
    else:
        with pytest.raises(access.AccessDenied) as refused:
            access.require(viewer, kind, *SCOPES[scope])
        assert str(refused.value).endswith(".")  # a plain sentence


def test_a_provider_without_a_provider_id_sees_no_placements():
    """The provider role alone is not enough for placement-level fees: it names whose."""
    assert not access.may(Viewer("provider", email="p@home.org"), access.OWN)


def test_actions_follow_the_issue():
    """Register outcomes and board decisions: trustees, ADCS leads (and analysts); imports,
    caps, membership, offers and users: analysts only; nobody anonymous acts."""
    recorders = {role for role, viewer in VIEWERS.items()
                 if access.may_act(viewer, access.RECORD)}
    admins = {role for role, viewer in VIEWERS.items()
              if access.may_act(viewer, access.ADMINISTER)}
    assert recorders == {"trustee", "adcs", "analyst"}
    assert admins == {"analyst"}
    with pytest.raises(access.AccessDenied, match="cannot import"):
        access.require_action(VIEWERS["trustee"], access.ADMINISTER)
    assert not access.may_act(access.ANONYMOUS, access.MAKE_PACK)


def test_the_server_without_sign_in_is_one_analyst_and_says_so():
    """A fresh clone (no identity provider, no accounts) runs as an explicit analyst."""
    assert access.SINGLE_USER.role == "analyst"
    assert access.SINGLE_USER.who == "single-user analyst"
    assert access.ANONYMOUS.role == "anonymous"


def test_rccs_a_viewer_may_see():
    """Trustees their own, NSG and analysts all, others none; in the given order."""
    every = ["north-east", MINE, OTHER]
    assert access.allowed_rccs(VIEWERS["trustee"], every) == [MINE]
    assert access.allowed_rccs(VIEWERS["nsg"], every) == every
    assert access.allowed_rccs(VIEWERS["provider"], every) == []


def test_an_unknown_kind_is_a_programming_error():
    """A table with a misspelt kind must fail loudly, never fall through to 'allowed'."""
    with pytest.raises(ValueError):
        access.may(VIEWERS["analyst"], "publised")
