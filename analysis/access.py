"""Who may see what: the roles, the kinds of table the product shows, and the one rule
that joins them. Pure, so the app (``cached.py``), the exports (``data/cli.py``) and the
tests all ask the same question the same way.

Every table and figure belongs to one *kind* (``KINDS``), by what it is made of:
published open data, forecasts, case-level needs and gaps, other case-level aggregates,
a provider's own placements and fees, or administration (imports, caps, membership,
offers, users, the audit trail). A role may see a kind at some scopes: a trustee sees
case-level aggregates only inside the RCCs they serve; an anonymous visitor sees
published data only. ``require`` raises ``AccessDenied`` with a plain sentence saying why,
which the app shows in place of what was refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The roles, least to most entitled (``python -m data user add --role``).
ROLES = ("anonymous", "provider", "trustee", "adcs", "nsg", "analyst")
ROLE_LABELS = {"anonymous": "Visitor (published data only)", "provider": "Provider",
               "trustee": "Trustee", "adcs": "ADCS lead",
               "nsg": "National Steering Group member", "analyst": "Analyst"}

#: The kinds of table, by what they are made of.
PUBLISHED = "published"  # open data as published (DfE, ONS, Ofsted, MHCLG, LAIT)
FORECAST = "forecast"  # stored forecasts and their measured accuracy
NEEDS = "needs"  # case-level needs, cohorts and specificity gaps (protected)
AGGREGATE = "aggregate"  # every other table made from case-level records (protected)
OWN = "own"  # a provider's own homes' placements and fees (case level)
ADMIN = "admin"  # imports, caps, RCC membership, provider offers, users, the audit trail
KINDS = (PUBLISHED, FORECAST, NEEDS, AGGREGATE, OWN, ADMIN)

#: Actions beyond reading (each checked with ``require_action``).
RECORD = "record"  # register outcomes and board decisions
ADMINISTER = "administer"  # imports, caps, RCC membership, provider offers, users
MAKE_PACK = "make_pack"  # board packs
ACTIONS = {RECORD: {"trustee", "adcs", "analyst"},
           ADMINISTER: {"analyst"},
           MAKE_PACK: {"trustee", "adcs", "nsg", "analyst"}}

#: Scopes wider than one RCC (no RCC code).
WIDE = ("england", "region")


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a role, and for a trustee or ADCS lead the RCCs they serve, for a
    provider its provider id. ``how`` says how they signed in (``oidc``, ``local``,
    ``single-user`` on a server with no sign-in configured, ``anonymous``, ``cli``)."""

    role: str
    email: str | None = None
    name: str | None = None
    rccs: frozenset[str] = field(default_factory=frozenset)
    provider: str | None = None
    how: str = "single-user"

    @property
    def who(self) -> str:
        """The name the audit trail records."""
        return self.email or {"single-user": "single-user analyst",
                              "cli": "command line"}.get(self.how, self.how)


#: A server with no sign-in configured (a fresh clone, ``make run``): one analyst.
SINGLE_USER = Viewer("analyst", name="Single-user analyst", how="single-user")
#: Nobody signed in, where sign-in is configured.
ANONYMOUS = Viewer("anonymous", how="anonymous")
#: The command line, run by whoever has the server (and the store's password).
COMMAND_LINE = Viewer("analyst", name="Command line", how="cli")


class AccessDenied(Exception):
    """What the viewer asked for is not theirs to see; the message says why, plainly."""


def may(viewer: Viewer, kind: str, scope_kind: str = "england",
        scope_rcc: str | None = None) -> bool:
    """Whether ``viewer`` may see a table of ``kind`` cut to a scope: ``scope_kind`` is
    england, region, rcc or la; ``scope_rcc`` the RCC an rcc or la scope lies in."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of table {kind!r}")
    role = viewer.role
    if role == "analyst" or kind == PUBLISHED:
        return True
    if kind == ADMIN or role == "anonymous":
        return False
    if kind == FORECAST:
        return True
    if kind == OWN:
        return role == "provider" and viewer.provider is not None
    if role == "nsg":
        return True
    if role == "provider":
        return kind == NEEDS and scope_kind != "la"
    return scope_kind not in WIDE and scope_rcc in viewer.rccs  # trustee, adcs


def require(viewer: Viewer, kind: str, scope_kind: str = "england",
            scope_rcc: str | None = None) -> None:
    """Raise AccessDenied, saying why, unless ``may``."""
    if not may(viewer, kind, scope_kind, scope_rcc):
        raise AccessDenied(refusal(viewer, kind, scope_kind))


def may_act(viewer: Viewer, action: str) -> bool:
    """Whether the viewer may do ``action`` (record, administer, make_pack)."""
    return viewer.role in ACTIONS[action]


def require_action(viewer: Viewer, action: str) -> None:
    """Raise AccessDenied unless the viewer may do ``action``."""
    if not may_act(viewer, action):
        words = {RECORD: "record register outcomes or board decisions",
                 ADMINISTER: "import data or change settings",
                 MAKE_PACK: "make board packs"}[action]
        raise AccessDenied(f"Signed in as {ROLE_LABELS[viewer.role].lower()}, you cannot "
                           f"{words}.")


def refusal(viewer: Viewer, kind: str, scope_kind: str) -> str:
    """The plain sentence shown in place of a refused table."""
    role = ROLE_LABELS[viewer.role]
    if viewer.role == "anonymous":
        return ("This part uses more than published open data. Sign in to see it "
                "(published figures are open to everyone).")
    if kind == ADMIN:
        return "This part is for analysts."
    if kind == OWN:
        return "Placement-level fees are shown only to the provider whose homes they are."
    if viewer.role == "provider":
        return ("Providers see published data, forecasts, and needs and gaps for an RCC, "
                "a region or England; case-level figures for a single LA are not shown.")
    if scope_kind in WIDE:
        return (f"As a {role.lower()} you see case-level figures for your RCC"
                f"{'s' if len(viewer.rccs) > 1 else ''} and their LAs; choose one in the "
                "sidebar. National Steering Group members see every RCC.")
    return (f"As a {role.lower()} you see case-level figures only for the RCCs you serve; "
            "this one is not among them.")


def allowed_rccs(viewer: Viewer, all_rccs) -> list[str]:
    """The RCCs whose case-level figures the viewer may see (in ``all_rccs``' order)."""
    if viewer.role in ("analyst", "nsg"):
        return list(all_rccs)
    if viewer.role in ("trustee", "adcs"):
        return [rcc for rcc in all_rccs if rcc in viewer.rccs]
    return []
