"""SQLAlchemy 2 schema of the RCC Insight store.

One schema serves SQLite (the zero-set-up default) and PostgreSQL (``DATABASE_URL``),
so only portable column types are used. Published tables keep each figure as DfE
printed it: a numeric column for the value and a ``*_symbol`` column for DfE's
suppression symbols (c, z, x, low), never a number invented in their place.
Alembic migrations in ``data/migrations`` are generated from this module; a test
checks that the migrations and this module agree.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention so migrations are stable across engines."""

    metadata = MetaData(naming_convention=NAMING)


class DataRelease(Base):
    """One published dataset as loaded: every chart's source line reads from here."""

    __tablename__ = "data_release"
    dataset: Mapped[str] = mapped_column(String(64), primary_key=True)
    publisher: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    period: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(500))
    licence: Mapped[str] = mapped_column(String(200))
    file: Mapped[str] = mapped_column(String(300))
    checksum: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    loaded_at: Mapped[datetime] = mapped_column(DateTime)


class Region(Base):
    """ONS region (E12): the nine English regions."""

    __tablename__ = "region"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))


class LocalAuthority(Base):
    """Upper-tier LA with children's services; retired entities are kept with is_current false."""

    __tablename__ = "local_authority"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    dfe_number: Mapped[str | None] = mapped_column(String(3))
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"))
    is_current: Mapped[bool] = mapped_column(Boolean)


class LaCodeChange(Base):
    """A change of LA code: rename (history carries over), split or merger (a break in series)."""

    __tablename__ = "la_code_change"
    old_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    new_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    old_name: Mapped[str] = mapped_column(String(100))
    new_name: Mapped[str] = mapped_column(String(100))
    change: Mapped[str] = mapped_column(String(10))
    effective_year: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text)


class Rcc(Base):
    """A Regional Care Co-operative; membership is editable and survives rebuilds."""

    __tablename__ = "rcc"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    basis: Mapped[str] = mapped_column(Text)


class RccMembership(Base):
    """Which current LA belongs to which RCC (one RCC per LA).

    Board-owned, so it survives rebuilds of the published tables; la_code is checked in
    code rather than by a foreign key, which would block replacing local_authority.
    """

    __tablename__ = "rcc_membership"
    la_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    rcc_id: Mapped[str] = mapped_column(ForeignKey("rcc.id"))


class Population(Base):
    """ONS mid-year estimate of children aged 0-17, by area (LA, region, England) and mid-year."""

    __tablename__ = "population"
    area_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    mid_year: Mapped[int] = mapped_column(Integer, primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    population_0_17: Mapped[int | None] = mapped_column(Integer)
    population_symbol: Mapped[str | None] = mapped_column(String(4))


class ClaCount(Base):
    """DfE children looked after: at 31 March, starting and ceasing, with the published rate."""

    __tablename__ = "cla_count"
    area_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    children: Mapped[int | None] = mapped_column(Integer)
    children_symbol: Mapped[str | None] = mapped_column(String(4))
    published_rate: Mapped[float | None] = mapped_column(Float)
    rate_symbol: Mapped[str | None] = mapped_column(String(4))
    published_population: Mapped[int | None] = mapped_column(Integer)


class LaitIndicator(Base):
    """DfE LAIT indicator value by area and year ('-' in LAIT becomes symbol 'x')."""

    __tablename__ = "lait_indicator"
    measure_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    area_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    year_label: Mapped[str] = mapped_column(String(16))
    measure: Mapped[str] = mapped_column(String(200))
    level: Mapped[str] = mapped_column(String(16))
    value: Mapped[float | None] = mapped_column(Float)
    symbol: Mapped[str | None] = mapped_column(String(4))


class ClaCharacteristic(Base):
    """DfE CLA at 31 March by characteristic, placement, locality and category of need."""

    __tablename__ = "cla_characteristic"
    area_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    cla_group: Mapped[str] = mapped_column(String(100), primary_key=True)
    characteristic: Mapped[str] = mapped_column(String(200), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    number: Mapped[int | None] = mapped_column(Integer)
    number_symbol: Mapped[str | None] = mapped_column(String(4))
    percentage: Mapped[float | None] = mapped_column(Float)
    percentage_symbol: Mapped[str | None] = mapped_column(String(4))


class NewPlacement(Base):
    """DfE new placements during the year: location and reason for change."""

    __tablename__ = "new_placement"
    area_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    characteristic: Mapped[str] = mapped_column(String(100), primary_key=True)
    breakdown: Mapped[str] = mapped_column(String(200), primary_key=True)
    level: Mapped[str] = mapped_column(String(16))
    children: Mapped[int | None] = mapped_column(Integer)
    children_symbol: Mapped[str | None] = mapped_column(String(4))
    percent: Mapped[float | None] = mapped_column(Float)
    percent_symbol: Mapped[str | None] = mapped_column(String(4))


class ChildrensHome(Base):
    """Ofsted children's home at 31 March 2023. Names and addresses are never stored."""

    __tablename__ = "childrens_home"
    urn: Mapped[str] = mapped_column(String(10), primary_key=True)
    la_code: Mapped[str] = mapped_column(ForeignKey("local_authority.code"))
    provision_type: Mapped[str] = mapped_column(String(100))
    sector: Mapped[str] = mapped_column(String(40))
    places: Mapped[int] = mapped_column(Integer)
    registration_status: Mapped[str] = mapped_column(String(20))
    short_break_only: Mapped[bool] = mapped_column(Boolean)
    latest_inspection_date: Mapped[str | None] = mapped_column(String(10))
    overall_judgement: Mapped[str | None] = mapped_column(String(40))
    help_and_protection: Mapped[str | None] = mapped_column(String(40))
    leadership: Mapped[str | None] = mapped_column(String(40))


class Ro3Expenditure(Base):
    """MHCLG Revenue Outturn RO3 2024-25, children's social care lines, GBP thousand."""

    __tablename__ = "ro3_expenditure"
    la_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    line: Mapped[str] = mapped_column(String(60), primary_key=True)
    measure: Mapped[str] = mapped_column(String(40), primary_key=True)
    value_gbp_thousands: Mapped[float | None] = mapped_column(Float)
    symbol: Mapped[str | None] = mapped_column(String(12))


class CostBenchmark(Base):
    """A published cost figure quoted from a named public source."""

    __tablename__ = "cost_benchmark"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[str] = mapped_column(String(60))
    publisher: Mapped[str] = mapped_column(String(200))
    publication: Mapped[str] = mapped_column(String(300))
    published: Mapped[str] = mapped_column(String(20))
    period: Mapped[str] = mapped_column(String(100))
    metric: Mapped[str] = mapped_column(String(300))
    value: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(String(200))
    source_url: Mapped[str] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)


class StatisticalNeighbour(Base):
    """DfE statistical neighbours: each LA's ten nearest, for the 2021 and 2025 models."""

    __tablename__ = "statistical_neighbour"
    model: Mapped[str] = mapped_column(String(4), primary_key=True)
    la_code: Mapped[str] = mapped_column(String(9), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer, primary_key=True)
    neighbour_code: Mapped[str] = mapped_column(String(9))
    closeness: Mapped[str] = mapped_column(String(30))


class Boundary(Base):
    """Simplified boundary as GeoJSON geometry text (ONS BUC, December 2023)."""

    __tablename__ = "boundary"
    code: Mapped[str] = mapped_column(String(9), primary_key=True)
    level: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    geometry: Mapped[str] = mapped_column(Text)


class ExplanationRequest(Base):
    """A board's request that an LA explain a high or rising rate, and what came of it.

    Board-owned (kept across rebuilds). la_code has no foreign key because the published
    local_authority table is replaced on every rebuild; it is checked in code instead.
    ``version`` starts at 1 and rises by one per save, so a save based on an older version
    can be refused rather than silently overwriting someone else's edit.
    """

    __tablename__ = "explanation_request"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    la_code: Mapped[str] = mapped_column(String(9))
    year: Mapped[int] = mapped_column(Integer)
    requested_on: Mapped[date] = mapped_column(Date)
    meeting: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str] = mapped_column(Text)
    asked_by: Mapped[str] = mapped_column(String(120))
    response: Mapped[str | None] = mapped_column(Text)
    response_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(Text)
    actions: Mapped[str | None] = mapped_column(Text)
    rule_settings: Mapped[str] = mapped_column(Text)
    version: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(120))


class ExplanationChange(Base):
    """One field changed by one save of an explanation request: who, when, old and new value."""

    __tablename__ = "explanation_change"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("explanation_request.id"))
    version: Mapped[int] = mapped_column(Integer)
    changed_at: Mapped[datetime] = mapped_column(DateTime)
    changed_by: Mapped[str] = mapped_column(String(120))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)


# --- case-level layer (imported SSDA903 / Placements Standard v2, or synthetic) -----------

class CaseImport(Base):
    """One import of case-level data: who, when, which file(s), for which LA and period.

    Every case-level row points at its import, so re-importing the same LA and period
    replaces exactly that submission, and synthetic rows are known by their import.
    """

    __tablename__ = "case_import"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime)
    imported_by: Mapped[str] = mapped_column(String(120))
    file_hash: Mapped[str] = mapped_column(String(64))
    format: Mapped[str] = mapped_column(String(20))  # ssda903 | placements-v2 | synthetic
    la_code: Mapped[str] = mapped_column(String(9))
    period: Mapped[str] = mapped_column(String(20))  # e.g. 2025 (903 year) or 2025-03-31
    rows: Mapped[str] = mapped_column(Text)  # JSON: rows written per table
    outcome: Mapped[str] = mapped_column(String(12))  # imported | replaced | unchanged
    is_synthetic: Mapped[bool] = mapped_column(Boolean)


class Provider(Base):
    """A placement provider (pseudonymous id or Ofsted provider URN), its sector and size."""

    __tablename__ = "provider"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("case_import.id", ondelete="CASCADE"))
    sector: Mapped[str] = mapped_column(String(40))
    places: Mapped[int | None] = mapped_column(Integer)
    is_synthetic: Mapped[bool] = mapped_column(Boolean)


class Child(Base):
    """A child looked after, pseudonymous: no name, no exact date of birth, no postcode."""

    __tablename__ = "child"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("case_import.id", ondelete="CASCADE"),
                                           index=True)
    la_code: Mapped[str] = mapped_column(String(9), index=True)  # responsible LA
    child_ref: Mapped[str] = mapped_column(String(40))  # the LA's pseudonymous CHILD id
    # YYYY-MM and 903 SEX (1 male, 2 female); NULL where the format does not record them
    # (Placements Standard v2 has neither)
    birth_year_month: Mapped[str | None] = mapped_column(String(7))
    sex: Mapped[str | None] = mapped_column(String(1))
    ethnicity: Mapped[str | None] = mapped_column(String(4))  # 903 ETHNIC code
    uasc: Mapped[bool] = mapped_column(Boolean)
    is_synthetic: Mapped[bool] = mapped_column(Boolean)


class Episode(Base):
    """A placement episode within a period of care (SSDA903 Episodes semantics)."""

    __tablename__ = "episode"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"),
                                          index=True)
    period_of_care: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per child
    start_date: Mapped[date] = mapped_column(Date)  # DECOM
    end_date: Mapped[date | None] = mapped_column(Date)  # DEC
    # The 903 codes below are NULL where the format does not record them (Placements
    # Standard v2 records none but the placement type, and 'Foster' has no single PLACE).
    reason_new_episode: Mapped[str | None] = mapped_column(String(2))  # RNE
    legal_status: Mapped[str | None] = mapped_column(String(2))  # LS
    category_of_need: Mapped[str | None] = mapped_column(String(2))  # CIN N1..N8
    placement_type: Mapped[str | None] = mapped_column(String(2), index=True)  # PLACE; K2 = home
    # PLACE_PROVIDER PR0..PR5 (blank in 903 for placements without one, e.g. T0-T4, Z1)
    provider_type: Mapped[str | None] = mapped_column(String(3))
    reason_episode_ceased: Mapped[str | None] = mapped_column(String(3))  # REC
    reason_place_change: Mapped[str | None] = mapped_column(String(6))
    home_sector: Mapped[str | None] = mapped_column(String(8))  # postcode sector only
    placement_sector: Mapped[str | None] = mapped_column(String(8))
    placing_la: Mapped[str] = mapped_column(String(9))
    placement_la: Mapped[str | None] = mapped_column(String(9), index=True)  # PL_LA
    placement_la_source: Mapped[str] = mapped_column(String(10))  # pl_la|postcode|urn|unknown
    inside_la: Mapped[bool | None] = mapped_column(Boolean)  # PL_LOCATION IN / OUT
    distance_miles: Mapped[float | None] = mapped_column(Float)
    distance_band: Mapped[str] = mapped_column(String(12))  # <=20 | >20 | unknown
    urn: Mapped[str | None] = mapped_column(String(10))
    provider_id: Mapped[str | None] = mapped_column(String(40))
    is_synthetic: Mapped[bool] = mapped_column(Boolean)


class NeedCategory(Base):
    """The 11 needs categories of regional needs analyses, mapped to Placements v2 fields."""

    __tablename__ = "need_category"
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    label: Mapped[str] = mapped_column(String(80))
    placements_v2_fields: Mapped[str] = mapped_column(Text)  # ';'-separated field names
    description: Mapped[str] = mapped_column(Text)


class NeedsAssessment(Base):
    """A need present for a child at an assessment, with frequency and intensity
    (Rome & Stanley: frequency rarely / monthly / weekly / daily; intensity low / medium /
    high; 'unknown' for both where the source does not say, as in Placements Standard v2).
    One row per need present."""

    __tablename__ = "needs_assessment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    child_id: Mapped[int] = mapped_column(ForeignKey("child.id", ondelete="CASCADE"),
                                          index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    need: Mapped[str] = mapped_column(String(30))  # need_category.code, checked in code
    # (no foreign key: need_category is reloaded on every build, case data is kept)
    frequency: Mapped[str] = mapped_column(String(8))
    intensity: Mapped[str] = mapped_column(String(8))
    is_synthetic: Mapped[bool] = mapped_column(Boolean)


class PlacementFee(Base):
    """The weekly fee of a placement episode and its parts, with the provider's declared
    surplus / reinvestment %: what cost transparency is built on."""

    __tablename__ = "placement_fee"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    episode_id: Mapped[int] = mapped_column(ForeignKey("episode.id", ondelete="CASCADE"),
                                            index=True)
    weekly_fee: Mapped[float] = mapped_column(Float)
    core: Mapped[float | None] = mapped_column(Float)
    extra_staffing: Mapped[float | None] = mapped_column(Float)
    education: Mapped[float | None] = mapped_column(Float)
    therapy: Mapped[float | None] = mapped_column(Float)
    surplus_pct: Mapped[float | None] = mapped_column(Float)
    is_synthetic: Mapped[bool] = mapped_column(Boolean)


class CohortFit(Base):
    """One latent class fit of children's needs (the needs audit's cohorts), kept per data
    version so pages read it instead of refitting, and so the next fit can keep the same
    cohort numbers (classes are matched to the previous fit's)."""

    __tablename__ = "cohort_fit"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    data_key: Mapped[str] = mapped_column(String(200), index=True)  # what was fitted
    year: Mapped[int] = mapped_column(Integer)  # children looked after at 31 March
    fitted_at: Mapped[datetime] = mapped_column(DateTime)
    classes: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text)  # JSON: fit statistics, profiles, names
    is_synthetic: Mapped[bool] = mapped_column(Boolean)


class CohortMember(Base):
    """A child's cohort in a fit and the posterior probability of that cohort."""

    __tablename__ = "cohort_member"
    fit_id: Mapped[int] = mapped_column(ForeignKey("cohort_fit.id", ondelete="CASCADE"),
                                        primary_key=True)
    child_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort: Mapped[int] = mapped_column(Integer)
    probability: Mapped[float] = mapped_column(Float)


class ProviderOffer(Base):
    """What a children's home offers (Ofsted does not publish it): the needs and the
    highest intensity it accepts, ages, sex and places. From the provider-offers import,
    the form, or the labelled synthetic default."""

    __tablename__ = "provider_offer"
    urn: Mapped[str] = mapped_column(String(10), primary_key=True)  # Ofsted URN
    needs: Mapped[str] = mapped_column(Text)  # ';'-separated need_category codes
    max_intensity: Mapped[str] = mapped_column(String(8))  # low | medium | high
    age_from: Mapped[int] = mapped_column(Integer)
    age_to: Mapped[int] = mapped_column(Integer)
    sex: Mapped[str] = mapped_column(String(6))  # any | female | male
    places: Mapped[int] = mapped_column(Integer)
    source: Mapped[str] = mapped_column(String(10))  # import | form | synthetic
    updated_at: Mapped[datetime] = mapped_column(DateTime)
    updated_by: Mapped[str] = mapped_column(String(120))
    is_synthetic: Mapped[bool] = mapped_column(Boolean)


class ForecastRun(Base):
    """One refresh of the forecasts (``python -m forecasting refresh``): the data and the
    settings it fitted, so pages read stored forecasts instead of fitting, and can say when
    a rebuild or import has made them stale. Only the newest run is kept."""

    __tablename__ = "forecast_run"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    data_key: Mapped[str] = mapped_column(String(200))  # the build the series came from
    settings: Mapped[str] = mapped_column(Text)  # JSON: models, horizon, origins
    fitted_at: Mapped[datetime] = mapped_column(DateTime)
    seconds: Mapped[float] = mapped_column(Float)
    series: Mapped[int] = mapped_column(Integer)  # series fitted
    with_backtest: Mapped[bool] = mapped_column(Boolean)


class ForecastKey:
    """The columns naming one series of a forecast run: the published annual series and the
    case-level monthly ones (``source``) can share a level, area and name."""

    run_id: Mapped[int] = mapped_column(ForeignKey("forecast_run.id", ondelete="CASCADE"),
                                        primary_key=True)
    source: Mapped[str] = mapped_column(String(10), primary_key=True)  # published | case
    level: Mapped[str] = mapped_column(String(16), primary_key=True)  # la|rcc|region|england
    area_code: Mapped[str] = mapped_column(String(60), primary_key=True)  # RCCs: their name
    series: Mapped[str] = mapped_column(String(40), primary_key=True)
    breakdown: Mapped[str] = mapped_column(String(60), primary_key=True)  # "all": the total


class ForecastSeries(ForecastKey):
    """One model's fit of a series: the primary key the run's values, backtests and scores
    share."""

    model: Mapped[str] = mapped_column(String(10), primary_key=True)


class ForecastRange:
    """A forecast and its 80% and 95% ranges."""

    forecast: Mapped[float] = mapped_column(Float)
    lower_80: Mapped[float] = mapped_column(Float)
    upper_80: Mapped[float] = mapped_column(Float)
    lower_95: Mapped[float] = mapped_column(Float)
    upper_95: Mapped[float] = mapped_column(Float)


class ForecastHistory(ForecastKey, Base):
    """The history a run fitted, one count per period (31 March, or a month end): pages
    draw it from here, so the line they show is the one the forecasts continue. Case-level
    series are kept only where disclosure control lets them be shown."""

    __tablename__ = "forecast_history"
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    area_name: Mapped[str] = mapped_column(String(120))
    value: Mapped[float] = mapped_column(Float)


class ForecastValue(ForecastSeries, ForecastRange, Base):
    """A model's forecast of one series for one period (31 March of a year, or a month
    end), with its 80% and 95% intervals; ``reconciled`` rows add up across levels."""

    __tablename__ = "forecast_value"
    period: Mapped[date] = mapped_column(Date, primary_key=True)
    area_name: Mapped[str] = mapped_column(String(120))
    reconciled: Mapped[bool] = mapped_column(Boolean)


class ForecastBacktest(ForecastSeries, ForecastRange, Base):
    """A past forecast beside what happened: a model fitted up to ``origin`` (31 March, or
    a month end) forecasting ``target``, ``horizon`` years (or months) ahead."""

    __tablename__ = "forecast_backtest"
    origin: Mapped[date] = mapped_column(Date, primary_key=True)
    target: Mapped[date] = mapped_column(Date, primary_key=True)
    horizon: Mapped[int] = mapped_column(Integer)
    actual: Mapped[float] = mapped_column(Float)


class ForecastScore(ForecastSeries, Base):
    """How good a model's past forecasts of one series were, and whether it is the
    series' default model (the lowest MASE)."""

    __tablename__ = "forecast_score"
    mase: Mapped[float | None] = mapped_column(Float)
    mape: Mapped[float | None] = mapped_column(Float)
    coverage_80: Mapped[float | None] = mapped_column(Float)
    coverage_95: Mapped[float | None] = mapped_column(Float)
    forecasts: Mapped[int] = mapped_column(Integer)
    is_default: Mapped[bool] = mapped_column(Boolean)


class Scenario(Base):
    """A saved what-if of one RCC (``forecasting.scenarios.Scenario``): named so a board can
    reopen it, one name per RCC (saving under a name replaces it). The parameters are JSON
    so a new kind of what-if needs no migration."""

    __tablename__ = "scenario"
    __table_args__ = (UniqueConstraint("rcc", "name"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rcc: Mapped[str] = mapped_column(String(120))  # the RCC's name, as forecasts name it
    name: Mapped[str] = mapped_column(String(80))
    parameters: Mapped[str] = mapped_column(Text)  # JSON: the scenario's other fields
    created_by: Mapped[str] = mapped_column(String(120))
    created_at: Mapped[datetime] = mapped_column(DateTime)


class FeeCap(Base):
    """A cap the board set on providers' surplus / reinvestment, as a % of operating cost,
    from a date. Rows are only ever added, so every cap the board has set stays on record
    (who set it and when): the cap in force on a day is the latest set with an
    ``effective_from`` on or before that day."""

    __tablename__ = "fee_cap"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    percent: Mapped[float] = mapped_column(Float)
    effective_from: Mapped[date] = mapped_column(Date)
    set_by: Mapped[str] = mapped_column(String(120))
    set_at: Mapped[datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)



# The boards' tables (accounts, audit trail, board packs, kept results) live in their own
# module; imported here, after Base and every other table, so ``data.schema`` still holds
# the whole schema.
from data.schema_boards import AppUser, AuditEvent, BoardPack, KeptResult  # noqa: E402,F401
